from django.urls import path

from rankandfile.ballots import nomination_views, views

app_name = "ballots"

urlpatterns = [
    path("", views.ballot_list, name="list"),
    path("new/", views.ballot_create, name="create"),
    path("<int:ballot_id>/", views.ballot_detail, name="detail"),
    path("<int:ballot_id>/vote/", views.ballot_vote, name="vote"),
    path("<int:ballot_id>/voted/", views.ballot_voted, name="voted"),
    path("<int:ballot_id>/receipt/", views.ballot_receipt, name="receipt"),
    path("<int:ballot_id>/results/", views.ballot_results, name="results"),
    path("<int:ballot_id>/bundle.zip", views.ballot_bundle, name="bundle"),
    path("<int:ballot_id>/open/", views.ballot_open, name="open"),
    path("<int:ballot_id>/close/", views.ballot_close, name="close"),
    path("<int:ballot_id>/edit/", views.ballot_update, name="update"),
    path("<int:ballot_id>/preview/", views.ballot_preview, name="preview"),
    path("<int:ballot_id>/delete/", views.ballot_delete, name="delete"),
    # Nominations for elected posts (nomination_views)
    path(
        "nominations/groups/<slug:group_slug>/new/",
        nomination_views.nomination_period_new,
        name="nominations_new",
    ),
    path("nominations/<int:period_id>/", nomination_views.nominations_page, name="nominations"),
    path(
        "nominations/<int:period_id>/close/",
        nomination_views.nominations_close,
        name="nominations_close",
    ),
    path(
        "nominations/<int:period_id>/<int:nomination_id>/second/",
        nomination_views.nomination_second,
        name="nomination_second",
    ),
    path(
        "nominations/<int:period_id>/<int:nomination_id>/accept/",
        nomination_views.nomination_accept,
        name="nomination_accept",
    ),
    path(
        "nominations/<int:period_id>/<int:nomination_id>/withdraw/",
        nomination_views.nomination_withdraw,
        name="nomination_withdraw",
    ),
]
