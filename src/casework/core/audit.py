"""The audit log: one function to record an event, one to verify the log.

Design
------
Each organization's log is one or more *lanes*: hash chains that are each verified
alone. An event stores its lane (``chain``), its number in the lane (``sequence``), the
hash of the lane's event before it (``previous_hash``) and a hash over its own content,
lane, number, organization, time and link included. Each lane has a head row
(``AuditChainHead``) holding the number and hash of its newest event.

Appending never waits for another writer. ``record`` locks a head of the event's
organization that no other open transaction holds (``SELECT … FOR UPDATE SKIP
LOCKED``; the lane this thread used last first, so the events of one transaction stay in
one lane), inserts the event linked to it and moves the head, all inside the caller's
transaction: the event, the head and the change it describes commit or roll back
together, and the lane stays locked until then. When every lane is held by an open
transaction, the writer opens a new lane, named with a random suffix so that two writers
opening lanes at once cannot meet on the head's unique name. An organization therefore
has as many lanes as it ever had audited transactions open at the same moment (bounded
by the database connections), and a quiet agency keeps one. SQLite has neither row locks
nor SKIP LOCKED; it lets one writer at a time anyway (``BEGIN IMMEDIATE``), so there
appends queue in the database, and each organization keeps one lane.

Order: within a lane it is fixed by the numbers and links. Events in different lanes were
written by transactions open at the same time; their order is ``occurred_at``, which is
part of each event's hash.

Why not events written without any lock and chained afterwards by a sealer: numbers from
a database sequence are taken in one order and committed in another, so a sealer cannot
tell an event that commits late from an event inserted into what it already sealed
without waiting for every open transaction; and every event newer than the last seal
could be deleted or changed without a trace. With lanes every event is chained the moment
it commits.

``verify`` walks each lane and finds an event whose content was changed (its hash), an
event removed (a gap in the numbers, a broken link), an event inserted (numbers are
unique per lane, so it has to renumber the ones after it, which changes their hashes, or
it goes after the newest event without moving the head), events reordered (numbers and
links are hashed), an event moved to another lane or organization (both are hashed), the
newest events of a lane removed (the head is ahead of them) and a missing head.

What it does not guarantee: the hashes carry no secret. Someone with full write access to
the database can delete a lane's newest events and move its head back, delete a lane with
its head, or rewrite a lane from a changed event onwards, and leave a log that verifies.
On PostgreSQL the events table refuses UPDATE and DELETE (migration 0002), so changing or
removing events takes the owner switching that trigger off (the heads have no such
trigger yet); anything stronger needs
the heads copied outside the database and compared.

``batch`` appends many events in one transaction (the demo agency, the generator) without
rewriting a lane's head for each: on PostgreSQL, rewriting one row thousands of times in
one transaction, each time in another savepoint, makes every lookup of that row walk all
its earlier versions.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Case, IntegerField, Model, Value, When

from . import context
from .models import AuditChainHead, AuditEvent, Organization, User

SYSTEM_CHAIN = "system"
GENESIS_HASH = "0" * 64


def chain_for(organization_id: int | None) -> str:
    """The name of the organization's first lane (before lanes, its only chain)."""
    return f"org:{organization_id}" if organization_id else SYSTEM_CHAIN


class _LastLanes(threading.local):
    """Per thread (so per database connection): organization id -> the lane used last."""

    def __init__(self) -> None:
        self.by_organization: dict[int | None, str] = {}


_last_lanes = _LastLanes()


def _take_lane(organization_id: int | None) -> AuditChainHead:
    """Lock and return a head of the organization's lanes that no other open transaction
    holds, opening a new lane when all are held. Never waits for a lock."""
    preferred = _last_lanes.by_organization.get(organization_id, "")
    lanes = (
        AuditChainHead.objects.filter(organization__isnull=True)
        if organization_id is None
        else AuditChainHead.objects.filter(organization_id=organization_id)
    )
    head = (
        lanes.select_for_update(skip_locked=True)
        .order_by(
            Case(
                When(chain=preferred, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
            "pk",
        )
        .first()
    )
    if head is None:
        head = AuditChainHead.objects.create(
            organization_id=organization_id,
            chain=f"{chain_for(organization_id)}/{secrets.token_hex(6)}",
        )
    _last_lanes.by_organization[organization_id] = head.chain
    return head


def _canonical(event: AuditEvent) -> bytes:
    occurred: datetime = event.occurred_at
    payload = {
        "chain": event.chain,
        "sequence": event.sequence,
        "occurred_at": occurred.isoformat(timespec="microseconds"),
        "organization_id": event.organization_id,
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "ip_address": event.ip_address,
        "request_id": event.request_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "client_id": event.client_id,
        "changes": event.changes,
        "previous_hash": event.previous_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


@dataclass
class _Batch:
    # organization id -> the lane its events of this batch go to
    lanes: dict[int | None, str] = field(default_factory=dict)
    # lane -> (sequence, hash) of its head when this batch first appended to it
    bases: dict[str, tuple[int, str]] = field(default_factory=dict)


_batch: contextvars.ContextVar[_Batch | None] = contextvars.ContextVar(
    "casework_audit_batch", default=None
)


@contextmanager
def batch() -> Iterator[None]:
    """Append the events recorded inside to their lanes, moving each lane's head once at the end.

    For seeding many events in one transaction (the demo agency, generated data); a request
    has no use for it. The block runs in a transaction (a savepoint when already in one) and
    the events are the same as without it: each links to the newest event of its lane, read
    from the events themselves, so one rolled back by an inner savepoint leaves no gap. Each
    organization's lane is taken (locked) at the first event appended to it and its head set
    to its newest event when the block ends; ``verify`` run inside the block would find the
    heads behind. Without this, PostgreSQL slows down with every event: each rewrites its
    lane's head in a savepoint of its own, and each lookup of the head walks every version
    written so far.
    """
    if _batch.get() is not None:  # inside a batch already: the outer one moves the heads
        yield
        return
    pending = _Batch()
    with transaction.atomic():
        token = _batch.set(pending)
        try:
            yield
        finally:
            _batch.reset(token)
        for organization_id, chain in pending.lanes.items():
            # A lane opened in an inner savepoint that rolled back has no head any more.
            head, _ = AuditChainHead.objects.select_for_update().get_or_create(
                chain=chain, defaults={"organization_id": organization_id}
            )
            newest = _newest(chain, after=head.sequence)
            if newest is not None:
                head.sequence, head.hash = newest
                head.save(update_fields=["sequence", "hash"])


def _newest(chain: str, *, after: int) -> tuple[int, str] | None:
    """Sequence and hash of the lane's newest event past ``after``, if any."""
    return (
        AuditEvent.objects.filter(chain=chain, sequence__gt=after)
        .order_by("-sequence")
        .values_list("sequence", "hash")
        .first()
    )


def _previous_in_batch(pending: _Batch, organization_id: int | None) -> tuple[str, int, str]:
    """The lane for the organization's next event in the batch, and the newest link in it."""
    chain = pending.lanes.get(organization_id)
    if chain is None:
        head = _take_lane(organization_id)
        chain = pending.lanes[organization_id] = head.chain
        pending.bases[chain] = (head.sequence, head.hash)
    base = pending.bases[chain]
    sequence, previous_hash = _newest(chain, after=base[0]) or base
    return chain, sequence, previous_hash


def _json_safe(value: Any) -> Any:
    """Round-trip through JSON so the hashed form equals what the database returns."""
    return json.loads(json.dumps(value, default=str))


def record(
    *,
    action: str,
    actor: User | None,
    organization: Organization | int | None = None,
    target: Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    client_id: int | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to a lane of its organization's log, without waiting for others.

    Call inside the service's transaction: the event commits or rolls back with
    the change it describes.
    """
    if isinstance(organization, Organization):
        organization_id: int | None = organization.pk
    elif organization is None and actor is not None:
        organization_id = actor.organization_id
    else:
        organization_id = organization
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or target.pk
    ctx = context.current()

    def append(chain: str, sequence: int, previous_hash: str) -> AuditEvent:
        event = AuditEvent(
            chain=chain,
            sequence=sequence + 1,
            organization_id=organization_id,
            actor=actor,
            actor_label=(actor.email if actor is not None else ""),
            ip_address=ctx.ip_address,
            request_id=ctx.request_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id) if object_id != "" else "",
            client_id=client_id,
            changes=_json_safe(changes or {}),
            previous_hash=previous_hash,
        )
        event.hash = compute_hash(event)
        event.save(force_insert=True)
        return event

    pending = _batch.get()
    if pending is not None:  # one INSERT; the batch moves the head when it ends
        return append(*_previous_in_batch(pending, organization_id))
    with transaction.atomic():
        head = _take_lane(organization_id)
        event = append(head.chain, head.sequence, head.hash)
        head.sequence = event.sequence
        head.hash = event.hash
        head.save(update_fields=["sequence", "hash"])
    return event


@dataclass(frozen=True)
class Problem:
    chain: str
    sequence: int
    message: str

    def __str__(self) -> str:
        return f"{self.chain} #{self.sequence}: {self.message}"


def verify(*, batch_size: int = 5000) -> Iterator[Problem]:
    """Yield every break in every lane; yields nothing when the log is intact."""
    heads = {h.chain: h for h in AuditChainHead.objects.all()}
    chains = set(heads) | set(AuditEvent.objects.values_list("chain", flat=True).distinct())
    for chain in sorted(chains):
        expected_previous = GENESIS_HASH
        expected_sequence = 1
        last_sequence = 0
        events = AuditEvent.objects.filter(chain=chain).order_by("sequence")
        for event in events.iterator(chunk_size=batch_size):
            if event.sequence != expected_sequence:
                yield Problem(
                    chain,
                    expected_sequence,
                    f"missing event(s) {expected_sequence}–{event.sequence - 1}",
                )
                expected_previous = event.previous_hash
            if event.previous_hash != expected_previous:
                yield Problem(chain, event.sequence, "does not link to the event before it")
            if compute_hash(event) != event.hash:
                yield Problem(chain, event.sequence, "content was changed after it was written")
            expected_previous = event.hash
            expected_sequence = event.sequence + 1
            last_sequence = event.sequence
        head = heads.get(chain)
        if head is None:
            yield Problem(chain, last_sequence, "chain head is missing")
        elif head.sequence < last_sequence:
            yield Problem(
                chain,
                last_sequence,
                f"event(s) after #{head.sequence} are past the chain head (inserted?)",
            )
        elif head.sequence != last_sequence or (last_sequence and head.hash != expected_previous):
            yield Problem(
                chain,
                head.sequence,
                f"newest event(s) after #{last_sequence} were deleted",
            )
