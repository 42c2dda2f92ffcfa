from django.urls import path

from rankandfile.campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/<slug:group_slug>/", views.campaign_new, name="new"),
    path("vouch/<slug:group_slug>/<int:member_id>/", views.vouch, name="vouch"),
    path("<slug:slug>/", views.campaign_detail, name="detail"),
    path("<slug:slug>/totals/", views.campaign_totals, name="totals"),
    path("<slug:slug>/counter.json", views.campaign_counter, name="counter"),
    path("<slug:slug>/embed", views.campaign_embed, name="embed"),
    path("<slug:slug>/pledge/", views.pledge_save, name="pledge"),
    path("<slug:slug>/pledge/withdraw/", views.pledge_withdraw, name="withdraw"),
    path("<slug:slug>/stages/<int:number>/action-pack/", views.action_pack, name="action_pack"),
    path("<slug:slug>/manage/", views.campaign_manage, name="manage"),
    path("<slug:slug>/manage/edit/", views.campaign_edit, name="edit"),
    path("<slug:slug>/manage/preview/", views.campaign_preview, name="preview"),
    path("<slug:slug>/manage/delete/", views.campaign_delete, name="delete"),
    path("<slug:slug>/manage/open/", views.campaign_open, name="open"),
    path("<slug:slug>/manage/demands/<int:position>/", views.demand_status, name="demand_status"),
]
