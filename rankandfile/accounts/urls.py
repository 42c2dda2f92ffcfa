from django.urls import path

from rankandfile.accounts import views

app_name = "accounts"

# "consent_change" acts across apps and lives in groups.views (see rankandfile/urls.py).

urlpatterns = [
    path("", views.profile, name="profile"),
    path("consents/", views.consents, name="consents"),
    path("api-tokens/", views.api_token_create_view, name="api_token_create"),
    path("api-tokens/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
]
