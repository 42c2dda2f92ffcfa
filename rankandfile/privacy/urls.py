from django.urls import path

from rankandfile.privacy import notice_views, views

app_name = "privacy"

urlpatterns = [
    path("privacy/", notice_views.notice, name="notice"),
    path("me/privacy/", views.data_download, name="data_download"),
    path("me/privacy/download/<str:token>/", views.export_download, name="export_download"),
    path("me/privacy/delete-account/", views.account_delete, name="account_delete"),
    path("me/privacy/account-deleted/", views.account_deleted, name="account_deleted"),
]
