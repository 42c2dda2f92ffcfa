from django.contrib import admin
from django.urls import include, path

from rankandfile import health, metrics, views
from rankandfile.accounts import urls as accounts_urls
from rankandfile.api import api
from rankandfile.groups import urls as groups_urls
from rankandfile.introductions import views as introductions_views
from rankandfile.notifications import affiliation_views, import_views
from rankandfile.notifications import views as notifications_views

# A page that acts across apps lives in the highest app it touches (the layers contract in
# pyproject.toml), yet keeps its address and name among the pages of the app it belongs to.
accounts_pages = [
    *accounts_urls.urlpatterns,
    # Withdrawing consent also closes the member's introductions (the highest app it touches).
    path("consents/change/", introductions_views.consent_change, name="consent_change"),
]
groups_pages = [
    *groups_urls.urlpatterns,  # first: "new/" and "invitations/..." are not group slugs
    path("<slug:slug>/", views.group_detail, name="detail"),
    path("<slug:slug>/manage/", views.group_manage, name="manage"),
    path("<slug:slug>/manage/invite/", notifications_views.invitation_create, name="invite"),
    path("<slug:slug>/manage/import/", import_views.import_upload, name="import"),
    path(
        "<slug:slug>/manage/import/<int:import_id>/",
        import_views.import_preview,
        name="import_preview",
    ),
    path("<slug:slug>/manage/affiliation/", affiliation_views.affiliation, name="affiliation"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("styleguide/", views.styleguide, name="styleguide"),
    path("accounts/", include("allauth.urls")),
    path("me/", include((accounts_pages, accounts_urls.app_name))),
    path("groups/", include((groups_pages, groups_urls.app_name))),
    path("campaigns/", include("rankandfile.campaigns.urls")),
    path("backing/", include("rankandfile.campaigns.backing_urls")),
    path("ballots/", include("rankandfile.ballots.urls")),
    path("conversations/", include("rankandfile.opinions.urls")),
    path("proposals/", include("rankandfile.proposals.urls")),
    path("slates/", include("rankandfile.proposals.slate_urls")),
    path("events/", include("rankandfile.events.urls")),
    path("resources/", include("rankandfile.resources.urls")),
    path("introductions/", include("rankandfile.introductions.urls")),
    path("notifications/", include("rankandfile.notifications.urls")),
    path("coordinators/", include("rankandfile.notifications.coordinator_urls")),
    path("", include("rankandfile.privacy.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler500 = "rankandfile.views.server_error"
