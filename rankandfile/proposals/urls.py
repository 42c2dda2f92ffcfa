from django.urls import path

from rankandfile.proposals import views

app_name = "proposals"

urlpatterns = [
    path("groups/<slug:group_slug>/", views.proposal_list, name="list"),
    path("groups/<slug:group_slug>/new/", views.proposal_new, name="new"),
    path("groups/<slug:group_slug>/reported/", views.comments_reported, name="reported"),
    path("groups/<slug:group_slug>/settings/", views.proposal_settings, name="settings"),
    path("<int:proposal_id>/", views.proposal_detail, name="detail"),
    path("<int:proposal_id>/edit/", views.proposal_edit, name="edit"),
    path("<int:proposal_id>/open/", views.proposal_open, name="open"),
    path("<int:proposal_id>/support/", views.proposal_support, name="support"),
    path("<int:proposal_id>/comment/", views.comment_create, name="comment_create"),
    path("<int:proposal_id>/amend/", views.amendment_new, name="amend"),
    path("<int:proposal_id>/to-ballot/", views.proposal_send_to_ballot, name="send_to_ballot"),
    path("comments/<int:comment_id>/", views.comment_show, name="comment"),
    path("comments/<int:comment_id>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:comment_id>/delete/", views.comment_delete, name="comment_delete"),
    path("comments/<int:comment_id>/report/", views.comment_report, name="comment_report"),
    path("amendments/<int:amendment_id>/", views.amendment_show, name="amendment"),
    path("amendments/<int:amendment_id>/decide/", views.amendment_decide, name="amendment_decide"),
    path(
        "amendments/<int:amendment_id>/support/", views.amendment_support, name="amendment_support"
    ),
]
