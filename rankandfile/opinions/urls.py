from django.urls import path

from rankandfile.opinions import views

app_name = "opinions"

urlpatterns = [
    # replaced by the conversation page (opages)
    path("<int:conversation_id>/", views.conversation_placeholder, name="detail"),
    path("<int:conversation_id>/map/", views.conversation_map, name="map"),
    path("<int:conversation_id>/map/campaign/", views.map_to_campaign, name="map_to_campaign"),
]
