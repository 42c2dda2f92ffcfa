from django.urls import path

from rankandfile.opinions import views

app_name = "opinions"

urlpatterns = [
    path("<int:conversation_id>/export.zip", views.conversation_export, name="export"),
]
