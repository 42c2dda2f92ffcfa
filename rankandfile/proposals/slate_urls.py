from django.urls import path

from rankandfile.proposals import slate_views as views

app_name = "slates"

urlpatterns = [
    path("groups/<slug:group_slug>/", views.slate_list, name="list"),
    path("groups/<slug:group_slug>/new/", views.slate_new, name="new"),
    path("<int:slate_id>/", views.slate_detail, name="detail"),
    path("<int:slate_id>/apply/", views.slate_apply, name="apply"),
    path("<int:slate_id>/withdraw/", views.slate_withdraw, name="withdraw"),
    path("<int:slate_id>/agree/", views.slate_agree, name="agree"),
    path("<int:slate_id>/to-ballot/", views.slate_send_to_ballot, name="send_to_ballot"),
    path("<int:slate_id>/recommended/", views.slate_public, name="public"),
    path("<int:slate_id>/embed", views.slate_embed, name="embed"),
]
