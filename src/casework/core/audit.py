"""The audit log: one function to record an event, one to verify the chains.

Each organization has its own chain (so the log can be distributed by
organization). Every event stores the hash of the previous event of its chain
and a hash over its own content; ``verify`` recomputes both and also compares
the last event with the chain head, which catches a deleted newest row.

``batch`` appends many events in one transaction (the demo agency, the
generator) without rewriting a chain head for each: on PostgreSQL, rewriting
one row thousands of times in one transaction, each time in another
savepoint, makes every lookup of that row walk all its earlier versions.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Model

from . import context
from .models import AuditChainHead, AuditEvent, Organization, User

SYSTEM_CHAIN = "system"
GENESIS_HASH = "0" * 64


def chain_for(organization_id: int | None) -> str:
    return f"org:{organization_id}" if organization_id else SYSTEM_CHAIN


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
    # chain -> (sequence, hash) of its head when this batch first appended to it
    bases: dict[str, tuple[int, str]] = field(default_factory=dict)


_batch: contextvars.ContextVar[_Batch | None] = contextvars.ContextVar(
    "casework_audit_batch", default=None
)


@contextmanager
def batch() -> Iterator[None]:
    """Append the events recorded inside to their chains, moving each chain's head once at the end.

    For seeding many events in one transaction (the demo agency, generated data); a request
    has no use for it. The block runs in a transaction (a savepoint when already in one) and
    the events are the same as without it: each links to the newest event of its chain, read
    from the events themselves, so one rolled back by an inner savepoint leaves no gap. Each
    chain's head is locked at the first event appended to it and set to its newest event when
    the block ends; ``verify`` run inside the block would find the heads behind. Without this,
    PostgreSQL slows down with every event: each rewrites its chain's head in a savepoint of
    its own, and each lookup of the head walks every version written so far.
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
        for chain in pending.bases:
            head, _ = AuditChainHead.objects.select_for_update().get_or_create(chain=chain)
            newest = _newest(chain, after=head.sequence)
            if newest is not None:
                head.sequence, head.hash = newest
                head.save(update_fields=["sequence", "hash"])


def _newest(chain: str, *, after: int) -> tuple[int, str] | None:
    """Sequence and hash of the chain's newest event past ``after``, if any."""
    return (
        AuditEvent.objects.filter(chain=chain, sequence__gt=after)
        .order_by("-sequence")
        .values_list("sequence", "hash")
        .first()
    )


def _previous_in_batch(pending: _Batch, chain: str) -> tuple[int, str]:
    base = pending.bases.get(chain)
    if base is None:
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(chain=chain)
        base = pending.bases[chain] = (head.sequence, head.hash)
    return _newest(chain, after=base[0]) or base


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
    """Append one event to its organization's chain.

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
    chain = chain_for(organization_id)

    def append(sequence: int, previous_hash: str) -> AuditEvent:
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
        return append(*_previous_in_batch(pending, chain))
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(chain=chain)
        event = append(head.sequence, head.hash)
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
    """Yield every break in every chain; yields nothing when the log is intact."""
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
        elif head.sequence != last_sequence or (last_sequence and head.hash != expected_previous):
            yield Problem(
                chain,
                head.sequence,
                f"newest event(s) after #{last_sequence} were deleted",
            )
