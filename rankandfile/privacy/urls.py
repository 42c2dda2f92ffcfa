from django.urls import path

from rankandfile.privacy import views

app_name = "privacy"

urlpatterns = [
    path("delete-account/", views.account_delete, name="account_delete"),
    path("account-deleted/", views.account_deleted, name="account_deleted"),
]
