from django.urls import path

from . import cases, views

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/<int:pk>/", cases.case_detail, name="case-detail"),
    path("cases/<int:pk>/assign/", cases.case_assign, name="case-assign"),
]
