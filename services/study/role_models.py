"""Local role models (gương điển hình, Chỉ thị 05-CT/TW): a committee posts a short story,
with a photo if it has one, to the members of its unit's subtree; members read the stories
addressed to their cell's units in `/guongdienhinh`, the photo sent to them on request."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from models import Member, StudyRoleModel
from services import audit, outbox, texts
from services.auth import Actor, Permission, authorize
from services.errors import UserError
from services.org import subtree_units
from services.outbox import Reach
from services.study import access
from services.study import texts as study_texts
from services.study.rules import DEFAULT_STUDY_RULES, StudyRules
from services.study.topics import clean_title, send_copy
from services.textnorm import nfc

ROLE_MODEL_KIND = "study_role_model"  # outbox kinds
PHOTO_KIND = "study_role_model_photo"


def clean_story(text: str, rules: StudyRules = DEFAULT_STUDY_RULES) -> str:
    value = nfc(text)
    if len(value) < 10:
        raise UserError(study_texts.STORY_TOO_SHORT)
    if len(value) > rules.story_max_chars:
        raise UserError(study_texts.TOO_LONG.format(length=len(value), limit=rules.story_max_chars))
    return value


def post_role_model(
    session: Session,
    actor: Actor,
    unit_id: int,
    title: str,
    story: str,
    photo_ref: str | None,
    *,
    now: datetime,
    rules: StudyRules = DEFAULT_STUDY_RULES,
) -> tuple[StudyRoleModel, Reach]:
    """Record the story and send it (with its photo) to the subtree's members: a committee
    over a unit of its subtree only; checked before anything is written."""
    unit = access.load_unit(session, unit_id)
    authorize(actor, Permission.OVERSEE, unit)
    model = StudyRoleModel(
        unit_id=unit_id,
        title=clean_title(title, rules),
        story=clean_story(story, rules),
        photo_ref=(photo_ref or None) and photo_ref[:500],
        created_by_member_id=actor.member_id,
        created_at=now,
    )
    session.add(model)
    session.flush()
    assert model.id is not None and unit.id is not None
    cells = [u.id for u in subtree_units(session, [unit.id]) if u.id is not None]
    members = session.exec(select(Member.id).where(col(Member.cell_id).in_(cells)))
    text = study_texts.ROLE_MODEL_NEW + "\n" + role_model_text(model, unit.name)
    result = outbox.enqueue(
        session,
        kind=ROLE_MODEL_KIND,
        ref_id=model.id,
        member_ids=[m for m in members if m is not None and m != actor.member_id],
        payload=outbox.message(text, file_ref=model.photo_ref, file_kind="photo"),
        dedupe_key=f"study_role_model:{model.id}",
        now=now,
    )
    audit.record(
        session,
        "study.role_model_posted",
        "study_role_model",
        model.id,
        actor_member_id=actor.member_id,
        detail={"unit": unit_id},
        at=now,
    )
    return model, result.reach


def role_model_text(model: StudyRoleModel, unit_name: str) -> str:
    return study_texts.ROLE_MODEL.format(title=model.title, unit=unit_name, story=model.story)


def for_member(
    session: Session, actor: Actor, rules: StudyRules = DEFAULT_STUDY_RULES
) -> list[StudyRoleModel]:
    """The stories addressed to the actor's cell or the units above it, newest first."""
    ids = access.chain(session, actor.cell_id)
    if not ids:
        return []
    return list(
        session.exec(
            select(StudyRoleModel)
            .where(col(StudyRoleModel.unit_id).in_(ids))
            .order_by(col(StudyRoleModel.created_at).desc(), col(StudyRoleModel.id).desc())
            .limit(rules.role_models_shown)
        )
    )


def readable_role_model(session: Session, actor: Actor, model_id: int) -> StudyRoleModel:
    model = session.get(StudyRoleModel, model_id)
    if model is None:
        raise UserError(texts.STALE_BUTTON)
    if not access.may_read_unit(session, actor, access.load_unit(session, model.unit_id)):
        raise UserError(study_texts.NOT_FOR_YOU)
    return model


def send_photo(
    session: Session,
    actor: Actor,
    model: StudyRoleModel,
    *,
    now: datetime,
    rules: StudyRules = DEFAULT_STUDY_RULES,
) -> None:
    """The story's photo to this member alone (one copy a minute at most)."""
    if not model.photo_ref or model.id is None:
        return
    send_copy(
        session,
        actor,
        kind=PHOTO_KIND,
        ref_id=model.id,
        text=study_texts.ROLE_MODEL_PHOTO.format(title=model.title),
        file=(model.photo_ref, "photo"),
        now=now,
        rules=rules,
    )
