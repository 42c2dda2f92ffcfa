from django.urls import path

from rankandfile.opinions import map_views, views

app_name = "opinions"

urlpatterns = [
    path("", views.conversation_list, name="list"),
    path("new/", views.conversation_create, name="new"),
    path("<int:conversation_id>/", views.conversation_detail, name="detail"),
    path("<int:conversation_id>/vote/", views.vote, name="vote"),
    path("<int:conversation_id>/statements/", views.statement_write, name="write"),
    path("<int:conversation_id>/moderate/", views.moderate, name="moderate"),
    path(
        "<int:conversation_id>/moderate/<int:statement_id>/",
        views.moderate_statement,
        name="moderate_statement",
    ),
    path("<int:conversation_id>/settings/", views.conversation_settings, name="settings"),
    path("<int:conversation_id>/close/", views.conversation_close, name="close"),
    path("<int:conversation_id>/map/", map_views.conversation_map, name="map"),
    path("<int:conversation_id>/map/campaign/", map_views.map_to_campaign, name="map_to_campaign"),
    path("<int:conversation_id>/map/proposal/", map_views.map_to_proposal, name="map_to_proposal"),
    path("<int:conversation_id>/export.zip", views.conversation_export, name="export"),
]
