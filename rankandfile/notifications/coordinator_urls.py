from django.urls import path

from rankandfile.notifications import affiliation_views

app_name = "coordinators"

# Network coordinators' pages (User.is_network_coordinator, with a second factor).
urlpatterns = [
    path("affiliations/", affiliation_views.affiliation_queue_page, name="affiliations"),
    path(
        "affiliations/<int:affiliation_id>/",
        affiliation_views.affiliation_decide,
        name="affiliation_decide",
    ),
]
