"""Every error a user of the providers can meet, and the words it is told in.

    DescopeProviderError          summary, detail, what to do; str() is the whole message
    ├── ConfigurationError        a setting is missing or malformed (names the setting)
    ├── InvalidInputError         the resource's inputs are not valid (names the field)
    ├── SnapshotRefused           a snapshot could not be written: the step it guards was not taken
    └── DescopeApiError           Descope answered an error (status, errorCode, hint)
        ├── TenantAlreadyExists   create hit an existing id (hint: adopt)
        ├── PartialFailure        an operation stopped half-way (says what was undone)
        └── AnswerNotUnderstood   a 2xx answer that does not fit its call's wire shape

Messages never contain the management key: the SDK's exceptions carry only the status and
Descope's response body, and the settings object hides the key from `repr`.

A message quotes what Descope answered (error descriptions, names, ids, excerpts of bodies):
its text (`DescopeProviderError.text`, hence ``str()``) is passed through `model.text.shown`,
so a control character or a bidirectional override Descope holds or sends never reaches the
terminal as itself. `detail` keeps Descope's words as they came, for the code that reads them.

The exceptions and the shared wording are in `providers.errors.base`, the messages of each
resource's errors in `providers.errors.messages`; everything is imported from here.
"""

from __future__ import annotations

from providers.errors.base import (
    BACKUP_DIR_SETTING,
    FLOW_MISSING_CODE,
    NOT_UNDERSTOOD_ACTION,
    NOTHING_CHANGED,
    RATE_LIMIT_SETTING,
    RECORDED_CONFIG_HINT,
    AnswerNotUnderstood,
    ConfigurationError,
    DescopeApiError,
    DescopeProviderError,
    InvalidInputError,
    PartialFailure,
    SnapshotRefused,
    TenantAlreadyExists,
    answer_of,
    content_problem,
    describe,
    explain,
    from_sdk_exception,
    is_missing_flow,
    rate_limited,
    snapshot_refused,
    snapshot_warning,
    when_not_understood,
)
from providers.errors.messages import (
    ADOPTED_WITHOUT_SECRET,
    SECRET_NOT_SHOWN,
    UNIT_RULE,
    access_key_adopt_refused,
    access_key_ambiguous,
    access_key_exists,
    access_key_gone,
    adopt_incomplete,
    create_rolled_back,
    gone_with_tenant,
    invalid_inputs,
    rollback_failed,
    secret_hidden,
    tenant_already_exists,
    tenant_delete_refused,
    tenant_gone,
    tenant_left_over,
    tenant_name_taken,
    unit_deleted,
    unit_move_failed,
    unit_moved,
    unit_not_movable,
    unit_part_unreadable,
)

__all__ = [
    "ADOPTED_WITHOUT_SECRET",
    "BACKUP_DIR_SETTING",
    "FLOW_MISSING_CODE",
    "NOTHING_CHANGED",
    "NOT_UNDERSTOOD_ACTION",
    "RATE_LIMIT_SETTING",
    "RECORDED_CONFIG_HINT",
    "SECRET_NOT_SHOWN",
    "UNIT_RULE",
    "AnswerNotUnderstood",
    "ConfigurationError",
    "DescopeApiError",
    "DescopeProviderError",
    "InvalidInputError",
    "PartialFailure",
    "SnapshotRefused",
    "TenantAlreadyExists",
    "access_key_adopt_refused",
    "access_key_ambiguous",
    "access_key_exists",
    "access_key_gone",
    "adopt_incomplete",
    "answer_of",
    "content_problem",
    "create_rolled_back",
    "describe",
    "explain",
    "from_sdk_exception",
    "gone_with_tenant",
    "invalid_inputs",
    "is_missing_flow",
    "rate_limited",
    "rollback_failed",
    "secret_hidden",
    "snapshot_refused",
    "snapshot_warning",
    "tenant_already_exists",
    "tenant_delete_refused",
    "tenant_gone",
    "tenant_left_over",
    "tenant_name_taken",
    "unit_deleted",
    "unit_move_failed",
    "unit_moved",
    "unit_not_movable",
    "unit_part_unreadable",
    "when_not_understood",
]
