from django.urls import path

from rankandfile.resources import views

app_name = "resources"

urlpatterns = [
    path("", views.resource_list, name="list"),
    path("new/", views.resource_new, name="new"),
    path("new/<slug:kind>/", views.resource_new_kind, name="new_kind"),
    path("moderation/", views.moderation_queue, name="moderation"),
    path("files/<str:token>/", views.file_download, name="file"),
    path("<int:resource_id>/", views.resource_detail, name="detail"),
    path("<int:resource_id>/helpful/", views.resource_helpful, name="helpful"),
    path("<int:resource_id>/collect/", views.resource_collect, name="collect"),
    path("<int:resource_id>/moderate/", views.resource_moderate, name="moderate"),
    path("<int:resource_id>/items/<int:item_id>/", views.collection_item, name="item"),
]
