"""SQLModel tables, the engine and sessions. Imports nothing else of ours."""

from sqlmodel import SQLModel

# Deterministic constraint names make Alembic migrations identical on SQLite and PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

from models.assessment import (  # noqa: E402
    AssessmentAdjustment,
    AssessmentDecision,
    AssessmentPeriod,
)
from models.audit import AuditLog  # noqa: E402
from models.bulletins import Bulletin, BulletinFeed  # noqa: E402
from models.conversation import ConversationState  # noqa: E402
from models.db import Database  # noqa: E402
from models.delivery_state import DeliveryPart, DeliveryRate, DeliveryWorkerBeat  # noqa: E402
from models.directives import Delivery, Directive, DirectiveRecipient  # noqa: E402
from models.enums import (  # noqa: E402
    AttendanceAnswer,
    AttendanceStatus,
    Channel,
    CheckinOutcome,
    DeliveryKind,
    DeliveryStatus,
    DirectiveAudience,
    FileKind,
    MeetingKind,
    MeetingStatus,
    MemberStatus,
    QualityBand,
    Role,
    StatusSource,
    TaskStatus,
    UnitKind,
    VoteExclusion,
)
from models.faq import FaqEntry, FaqQuestion, FaqReview  # noqa: E402
from models.fees import (  # noqa: E402
    FeeCollector,
    FeeMonthClose,
    FeePayment,
    FeeProfile,
    FeeReduction,
    FeeReminder,
    FeeUnitSettings,
)
from models.identity import ChatIdentity, Invite, InviteAttempt  # noqa: E402
from models.inbound import InboundUpdate  # noqa: E402
from models.inbox import InboxUpdate  # noqa: E402
from models.library import LibraryDocument, LibrarySaved  # noqa: E402
from models.meetings import (  # noqa: E402
    Attendance,
    CheckinAttempt,
    CheckinCode,
    Meeting,
    MeetingDocument,
    Resolution,
    ResolutionChange,
    ResolutionVersion,
    ResolutionVote,
    Task,
)
from models.org import Member, RoleAssignment, Unit  # noqa: E402
from models.public_files import PublicFile  # noqa: E402
from models.schedule import ScheduledRun  # noqa: E402
from models.search import SearchEntry, SearchReader, SearchState  # noqa: E402
from models.study import (  # noqa: E402
    StudyAssignment,
    StudyPledge,
    StudyPledgeReview,
    StudyQuizResult,
    StudyRoleModel,
    StudyTopic,
)
from models.supervision import (  # noqa: E402
    SupervisionItem,
    TaskClosure,
    TaskEscalation,
    TaskReport,
)
from models.types import UTCDateTime, utcnow  # noqa: E402

metadata = SQLModel.metadata

__all__ = [
    "AssessmentAdjustment",
    "AssessmentDecision",
    "AssessmentPeriod",
    "Attendance",
    "AttendanceAnswer",
    "AttendanceStatus",
    "AuditLog",
    "Bulletin",
    "BulletinFeed",
    "Channel",
    "ChatIdentity",
    "CheckinAttempt",
    "CheckinCode",
    "CheckinOutcome",
    "ConversationState",
    "Database",
    "Delivery",
    "DeliveryKind",
    "DeliveryPart",
    "DeliveryRate",
    "DeliveryStatus",
    "DeliveryWorkerBeat",
    "Directive",
    "DirectiveAudience",
    "DirectiveRecipient",
    "FaqEntry",
    "FaqQuestion",
    "FaqReview",
    "FeeCollector",
    "FeeMonthClose",
    "FeePayment",
    "FeeProfile",
    "FeeReduction",
    "FeeReminder",
    "FeeUnitSettings",
    "FileKind",
    "InboundUpdate",
    "InboxUpdate",
    "Invite",
    "InviteAttempt",
    "LibraryDocument",
    "LibrarySaved",
    "Meeting",
    "MeetingDocument",
    "MeetingKind",
    "MeetingStatus",
    "Member",
    "MemberStatus",
    "PublicFile",
    "QualityBand",
    "Resolution",
    "ResolutionChange",
    "ResolutionVersion",
    "ResolutionVote",
    "Role",
    "RoleAssignment",
    "ScheduledRun",
    "SearchEntry",
    "SearchReader",
    "SearchState",
    "StatusSource",
    "StudyAssignment",
    "StudyPledge",
    "StudyPledgeReview",
    "StudyQuizResult",
    "StudyRoleModel",
    "StudyTopic",
    "SupervisionItem",
    "Task",
    "TaskClosure",
    "TaskEscalation",
    "TaskReport",
    "TaskStatus",
    "UTCDateTime",
    "Unit",
    "UnitKind",
    "VoteExclusion",
    "metadata",
    "utcnow",
]
