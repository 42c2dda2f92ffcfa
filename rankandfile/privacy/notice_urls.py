from django.urls import path

from rankandfile.privacy import notice_views

app_name = "privacy"

urlpatterns = [
    path("", notice_views.notice, name="notice"),
]
