"""Distances, and where a client is, without sending an address anywhere.

No geocoding service is called: a client's address stays on this machine. The
gazetteer is the directory itself: the centroid of the directory locations that
share the client's postal code (else city and state) stands for the client's
place, and every distance says how precise that is ("by postal code").

Search filters on a bounding box first (indexed latitude and longitude), then on an
equirectangular distance, which needs only arithmetic in SQL (SQLite has no
trigonometry by default) and is within 0.5 % of the great-circle distance at the
scale of a city; distances shown are haversine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Avg, Count, F, Q
from django.db.models.expressions import CombinedExpression, Value
from django.utils.translation import gettext as _

from casework.clients.models import Client, ClientAddress

from .models import Address, Location

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180


class Precision:
    POSTAL_CODE = "postal_code"
    CITY = "city"
    LOCATION = "location"


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float
    precision: str = Precision.LOCATION
    #: What the point stands for, in words without personal data: "postal code 97201".
    label: str = ""

    @property
    def how(self) -> str:
        """How the point was found, for a distance: "by postal code"."""
        if self.precision == Precision.POSTAL_CODE:
            return _("by postal code")
        if self.precision == Precision.CITY:
            return _("by city")
        return _("from the address")


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def distance_km(point: Point, latitude: float | None, longitude: float | None) -> float | None:
    if latitude is None or longitude is None:
        return None
    return haversine_km(point.latitude, point.longitude, latitude, longitude)


@dataclass(frozen=True)
class Box:
    min_latitude: float
    max_latitude: float
    min_longitude: float
    max_longitude: float

    def q(self, prefix: str = "") -> Q:
        return Q(
            **{
                f"{prefix}latitude__gte": self.min_latitude,
                f"{prefix}latitude__lte": self.max_latitude,
                f"{prefix}longitude__gte": self.min_longitude,
                f"{prefix}longitude__lte": self.max_longitude,
            }
        )


def bounding_box(point: Point, radius_km: float) -> Box:
    dlat = radius_km / KM_PER_DEGREE
    # Near the poles a degree of longitude shrinks to nothing: take every longitude there.
    cos_lat = math.cos(math.radians(point.latitude))
    dlon = 180.0 if cos_lat < 0.01 else min(180.0, radius_km / (KM_PER_DEGREE * cos_lat))
    return Box(
        point.latitude - dlat, point.latitude + dlat, point.longitude - dlon, point.longitude + dlon
    )


def squared_distance_expression(point: Point, prefix: str = "") -> CombinedExpression:
    """Equirectangular squared distance in km², in SQL arithmetic only."""
    scale = KM_PER_DEGREE * math.cos(math.radians(point.latitude))
    dy = (F(f"{prefix}latitude") - Value(point.latitude)) * Value(KM_PER_DEGREE)
    dx = (F(f"{prefix}longitude") - Value(point.longitude)) * Value(scale)
    return dy * dy + dx * dx


def _centroid(organization_id: int, q: Q, precision: str, label: str) -> Point | None:
    found = Address.objects.filter(
        q,
        organization_id=organization_id,
        location__latitude__isnull=False,
        location__longitude__isnull=False,
    ).aggregate(
        latitude=Avg("location__latitude"), longitude=Avg("location__longitude"), n=Count("pk")
    )
    if not found["n"]:
        return None
    return Point(float(found["latitude"]), float(found["longitude"]), precision, label)


def locate_postal_code(organization_id: int, postal_code: str) -> Point | None:
    """The centroid of the directory's locations with this postal code (one query)."""
    code = postal_code.strip().upper()
    if not code:
        return None
    return _centroid(
        organization_id,
        Q(postal_code__iexact=code),
        Precision.POSTAL_CODE,
        _("postal code %(code)s") % {"code": code},
    )


def locate_address(
    organization_id: int, *, postal_code: str, city: str, state: str
) -> Point | None:
    """Postal code first, else city and state, from the directory's own addresses."""
    point = locate_postal_code(organization_id, postal_code)
    if point is None and city.strip():
        q = Q(city__iexact=city.strip())
        if state.strip():
            q &= Q(state_province__iexact=state.strip())
        point = _centroid(organization_id, q, Precision.CITY, _("the client's city"))
    return point


def current_address(client: Client) -> ClientAddress | None:
    return ClientAddress.objects.filter(client=client, is_current=True).order_by("-pk").first()


def locate_client(client: Client) -> Point | None:
    """Where the client is, roughly, from their current address; None if it cannot be told."""
    address = current_address(client)
    if address is None:
        return None
    point = locate_address(
        client.organization_id,
        postal_code=address.postal_code,
        city=address.city,
        state=address.state,
    )
    if point is None:
        return None
    # The label names the precision, never the client's address.
    return Point(point.latitude, point.longitude, point.precision, _("the client's address"))


def locate_location(organization_id: int, location_id: int) -> Point | None:
    location = (
        Location.objects.filter(
            pk=location_id,
            organization_id=organization_id,
            latitude__isnull=False,
            longitude__isnull=False,
        )
        .only("latitude", "longitude", "name")
        .first()
    )
    if location is None or location.latitude is None or location.longitude is None:
        return None
    return Point(location.latitude, location.longitude, Precision.LOCATION, location.name)
