from django.contrib import admin
from django.urls import include, path

from rankandfile import views
from rankandfile.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("me/", include("rankandfile.accounts.urls")),
    path("groups/", include("rankandfile.groups.urls")),
    path("campaigns/", include("rankandfile.campaigns.urls")),
    path("ballots/", include("rankandfile.ballots.urls")),
    path("notifications/", include("rankandfile.notifications.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
