// `on:` as tables: every event GitHub's schema knows, its activity types and filters
// (gha-spec.md §11; workflow-v1.0.json `on-mapping-strict`).
#include <array>

#include "pipewright/workflow/schema_internal.h"

namespace pipewright::workflow::schema {

namespace {

using P = Property;
using V = std::string_view;

// An event's activity `types`: one allowed value or a list of them.
#define PW_ACTIVITY(id, prefix, ...)                                                           \
  constexpr V id##_values[] = {__VA_ARGS__};                                                   \
  const Def id##_type{                                                                         \
      .name = prefix "-activity-type", .shape = Shape::allowed_values, .values = id##_values}; \
  const Def id##_types{                                                                        \
      .name = prefix "-activity-types", .shape = Shape::sequence, .item = &id##_type};         \
  const std::array<const Def*, 2> id##_alternatives = {&id##_type, &id##_types};               \
  const Def id##_activity{                                                                     \
      .name = prefix "-activity", .shape = Shape::one_of, .alternatives = id##_alternatives};

// An event whose configuration is null or a mapping of `properties`.
#define PW_EVENT(id, prefix, ...)                                                         \
  const std::array id##_properties = {__VA_ARGS__};                                       \
  const Def id##_mapping{                                                                 \
      .name = prefix "-mapping", .shape = Shape::mapping, .properties = id##_properties}; \
  const std::array<const Def*, 2> id##_event_alternatives = {&k_null, &id##_mapping};     \
  const Def id{.name = prefix, .shape = Shape::one_of, .alternatives = id##_event_alternatives};

PW_ACTIVITY(k_branch_protection_rule, "branch-protection-rule", "created", "edited", "deleted")
PW_EVENT(k_branch_protection_rule, "branch-protection-rule",
         P{"types", &k_branch_protection_rule_activity})

PW_ACTIVITY(k_check_run, "check-run", "completed", "created", "rerequested", "requested_action")
PW_EVENT(k_check_run, "check-run", P{"types", &k_check_run_activity})

PW_ACTIVITY(k_check_suite, "check-suite", "completed")
PW_EVENT(k_check_suite, "check-suite", P{"types", &k_check_suite_activity})

PW_ACTIVITY(k_discussion, "discussion", "created", "edited", "deleted", "transferred", "pinned",
            "unpinned", "labeled", "unlabeled", "locked", "unlocked", "category_changed",
            "answered", "unanswered")
PW_EVENT(k_discussion, "discussion", P{"types", &k_discussion_activity})

PW_ACTIVITY(k_discussion_comment, "discussion-comment", "created", "edited", "deleted")
PW_EVENT(k_discussion_comment, "discussion-comment", P{"types", &k_discussion_comment_activity})

PW_ACTIVITY(k_image_version, "image-version", "created", "ready", "deleted")
PW_EVENT(k_image_version, "image-version", P{"types", &k_image_version_activity},
         P{"names", &k_string_or_list}, P{"versions", &k_string_or_list})

PW_ACTIVITY(k_issue_comment, "issue-comment", "created", "edited", "deleted")
PW_EVENT(k_issue_comment, "issue-comment", P{"types", &k_issue_comment_activity})
const std::array<const Def*, 2> k_pull_request_comment_alternatives = {&k_null,
                                                                       &k_issue_comment_mapping};
const Def k_pull_request_comment{.name = "pull-request-comment",
                                 .shape = Shape::one_of,
                                 .alternatives = k_pull_request_comment_alternatives};

PW_ACTIVITY(k_issues, "issues", "opened", "edited", "deleted", "transferred", "pinned", "unpinned",
            "closed", "reopened", "assigned", "unassigned", "labeled", "unlabeled", "locked",
            "unlocked", "milestoned", "demilestoned", "field_added", "field_removed", "typed",
            "untyped")
PW_EVENT(k_issues, "issues", P{"types", &k_issues_activity})

PW_ACTIVITY(k_label, "label", "created", "edited", "deleted")
PW_EVENT(k_label, "label", P{"types", &k_label_activity})

PW_ACTIVITY(k_merge_group, "merge-group", "checks_requested")
PW_EVENT(k_merge_group, "merge-group", P{"types", &k_merge_group_activity},
         P{"branches", &k_string_or_list}, P{"branches-ignore", &k_string_or_list})

PW_ACTIVITY(k_milestone, "milestone", "created", "closed", "opened", "edited", "deleted")
PW_EVENT(k_milestone, "milestone", P{"types", &k_milestone_activity})

PW_ACTIVITY(k_project, "project", "created", "closed", "reopened", "edited", "deleted")
PW_EVENT(k_project, "project", P{"types", &k_project_activity})

PW_ACTIVITY(k_project_card, "project-card", "created", "moved", "converted", "edited", "deleted")
PW_EVENT(k_project_card, "project-card", P{"types", &k_project_card_activity})

PW_ACTIVITY(k_project_column, "project-column", "created", "updated", "moved", "deleted")
PW_EVENT(k_project_column, "project-column", P{"types", &k_project_column_activity})

#define PW_PULL_REQUEST_TYPES                                                                 \
  "assigned", "unassigned", "labeled", "unlabeled", "opened", "edited", "closed", "reopened", \
      "synchronize", "converted_to_draft", "locked", "unlocked", "enqueued", "dequeued",      \
      "milestoned", "demilestoned", "ready_for_review", "review_requested",                   \
      "review_request_removed", "auto_merge_enabled", "auto_merge_disabled", "stacked"

PW_ACTIVITY(k_pull_request, "pull-request", PW_PULL_REQUEST_TYPES)
PW_EVENT(k_pull_request, "pull-request", P{"types", &k_pull_request_activity},
         P{"branches", &k_string_or_list}, P{"branches-ignore", &k_string_or_list},
         P{"paths", &k_string_or_list}, P{"paths-ignore", &k_string_or_list})

PW_ACTIVITY(k_pull_request_target, "pull-request-target", PW_PULL_REQUEST_TYPES)
PW_EVENT(k_pull_request_target, "pull-request-target", P{"types", &k_pull_request_target_activity},
         P{"branches", &k_string_or_list}, P{"branches-ignore", &k_string_or_list},
         P{"paths", &k_string_or_list}, P{"paths-ignore", &k_string_or_list})

PW_ACTIVITY(k_pull_request_review, "pull-request-review", "submitted", "edited", "dismissed")
PW_EVENT(k_pull_request_review, "pull-request-review", P{"types", &k_pull_request_review_activity})

PW_ACTIVITY(k_pull_request_review_comment, "pull-request-review-comment", "created", "edited",
            "deleted")
PW_EVENT(k_pull_request_review_comment, "pull-request-review-comment",
         P{"types", &k_pull_request_review_comment_activity})

PW_EVENT(k_push, "push", P{"branches", &k_string_or_list}, P{"branches-ignore", &k_string_or_list},
         P{"tags", &k_string_or_list}, P{"tags-ignore", &k_string_or_list},
         P{"paths", &k_string_or_list}, P{"paths-ignore", &k_string_or_list})

PW_ACTIVITY(k_registry_package, "registry-package", "published", "updated")
PW_EVENT(k_registry_package, "registry-package", P{"types", &k_registry_package_activity})

PW_ACTIVITY(k_release, "release", "published", "unpublished", "created", "edited", "deleted",
            "prereleased", "released")
PW_EVENT(k_release, "release", P{"types", &k_release_activity})

PW_EVENT(k_repository_dispatch, "repository-dispatch", P{"types", &k_sequence_of_non_empty_string})

PW_ACTIVITY(k_watch, "watch", "started")
PW_EVENT(k_watch, "watch", P{"types", &k_watch_activity})

PW_ACTIVITY(k_workflow_run, "workflow-run", "requested", "completed", "in_progress")
PW_EVENT(k_workflow_run, "workflow-run", P{"types", &k_workflow_run_activity},
         P{"workflows", &k_string_or_list}, P{"branches", &k_string_or_list},
         P{"branches-ignore", &k_string_or_list})

#undef PW_PULL_REQUEST_TYPES
#undef PW_EVENT
#undef PW_ACTIVITY

// Events without configuration.
const Def k_create{.name = "create", .shape = Shape::null};
const Def k_delete{.name = "delete", .shape = Shape::null};
const Def k_deployment{.name = "deployment", .shape = Shape::null};
const Def k_deployment_status{.name = "deployment-status", .shape = Shape::null};
const Def k_fork{.name = "fork", .shape = Shape::null};
const Def k_gollum{.name = "gollum", .shape = Shape::null};
const Def k_page_build{.name = "page-build", .shape = Shape::null};
const Def k_public{.name = "public", .shape = Shape::null};
const Def k_status{.name = "status", .shape = Shape::null};

// schedule.
const std::array<P, 2> k_cron_properties = {{
    {"cron", &k_non_empty_string, true},
    {"timezone", &k_non_empty_string},
}};
const Def k_cron_mapping{
    .name = "cron-mapping", .shape = Shape::mapping, .properties = k_cron_properties};
const Def k_schedule{.name = "schedule", .shape = Shape::sequence, .item = &k_cron_mapping};

// workflow_call.
constexpr V k_call_input_types[] = {"string", "boolean", "number"};
const Def k_call_input_type{.name = "workflow-call-input-type",
                            .shape = Shape::allowed_values,
                            .values = k_call_input_types};
const Def k_call_input_default{.name = "workflow-call-input-default",
                               .shape = Shape::string,
                               .context = KeyKind::workflow_call_input_default,
                               .has_context = true};
const std::array<P, 4> k_call_input_properties = {{
    {"description", &k_string},
    {"type", &k_call_input_type, true},
    {"required", &k_boolean},
    {"default", &k_call_input_default},
}};
const Def k_call_input{.name = "workflow-call-input-definition",
                       .shape = Shape::mapping,
                       .properties = k_call_input_properties};
const Def k_call_inputs{
    .name = "workflow-call-inputs", .shape = Shape::mapping, .loose_value = &k_call_input};
const std::array<P, 2> k_call_secret_properties = {{
    {"description", &k_string},
    {"required", &k_boolean},
}};
const Def k_call_secret_mapping{.name = "workflow-call-secret-mapping-definition",
                                .shape = Shape::mapping,
                                .properties = k_call_secret_properties};
const std::array<const Def*, 2> k_call_secret_alternatives = {&k_null, &k_call_secret_mapping};
const Def k_call_secret{.name = "workflow-call-secret-definition",
                        .shape = Shape::one_of,
                        .alternatives = k_call_secret_alternatives};
const Def k_call_secrets{
    .name = "workflow-call-secrets", .shape = Shape::mapping, .loose_value = &k_call_secret};
const Def k_workflow_output_context{.name = "workflow-output-context",
                                    .shape = Shape::string,
                                    .context = KeyKind::workflow_output,
                                    .has_context = true};
const std::array<P, 2> k_call_output_properties = {{
    {"description", &k_string},
    {"value", &k_workflow_output_context, true},
}};
const Def k_call_output{.name = "workflow-call-output-definition",
                        .shape = Shape::mapping,
                        .properties = k_call_output_properties};
const Def k_call_outputs{
    .name = "workflow-call-outputs", .shape = Shape::mapping, .loose_value = &k_call_output};
const std::array<P, 3> k_call_properties = {{
    {"inputs", &k_call_inputs},
    {"secrets", &k_call_secrets},
    {"outputs", &k_call_outputs},
}};
const Def k_call_mapping{
    .name = "workflow-call-mapping", .shape = Shape::mapping, .properties = k_call_properties};
const std::array<const Def*, 2> k_call_alternatives = {&k_null, &k_call_mapping};
const Def k_workflow_call{
    .name = "workflow-call", .shape = Shape::one_of, .alternatives = k_call_alternatives};

// workflow_dispatch.
constexpr V k_dispatch_input_types[] = {"string", "boolean", "number", "environment", "choice"};
const Def k_dispatch_input_type{.name = "workflow-dispatch-input-type",
                                .shape = Shape::allowed_values,
                                .values = k_dispatch_input_types};
const std::array<P, 5> k_dispatch_input_properties = {{
    {"description", &k_string},
    {"type", &k_dispatch_input_type},
    {"required", &k_boolean},
    {"default", &k_string},
    {"options", &k_sequence_of_string},
}};
const Def k_dispatch_input{.name = "workflow-dispatch-input",
                           .shape = Shape::mapping,
                           .properties = k_dispatch_input_properties};
// GitHub runs a workflow whose input is declared with nothing after it (`name:`), although
// its schema asks for a mapping: accept null too (a string input with no description).
const std::array<const Def*, 2> k_dispatch_input_or_null_alternatives = {&k_null,
                                                                         &k_dispatch_input};
const Def k_dispatch_input_or_null{.name = "workflow-dispatch-input-or-null",
                                   .shape = Shape::one_of,
                                   .alternatives = k_dispatch_input_or_null_alternatives};
const Def k_dispatch_inputs{.name = "workflow-dispatch-inputs",
                            .shape = Shape::mapping,
                            .loose_value = &k_dispatch_input_or_null};
const std::array<P, 1> k_dispatch_properties = {{{"inputs", &k_dispatch_inputs}}};
const Def k_dispatch_mapping{.name = "workflow-dispatch-mapping",
                             .shape = Shape::mapping,
                             .properties = k_dispatch_properties};
const std::array<const Def*, 2> k_dispatch_alternatives = {&k_null, &k_dispatch_mapping};
const Def k_workflow_dispatch{
    .name = "workflow-dispatch", .shape = Shape::one_of, .alternatives = k_dispatch_alternatives};

// `on:` itself.
const std::array<P, 37> k_on_properties = {{
    {"branch_protection_rule", &k_branch_protection_rule},
    {"check_run", &k_check_run},
    {"check_suite", &k_check_suite},
    {"create", &k_create},
    {"delete", &k_delete},
    {"deployment", &k_deployment},
    {"deployment_status", &k_deployment_status},
    {"discussion", &k_discussion},
    {"discussion_comment", &k_discussion_comment},
    {"fork", &k_fork},
    {"gollum", &k_gollum},
    {"image_version", &k_image_version},
    {"issue_comment", &k_issue_comment},
    {"issues", &k_issues},
    {"label", &k_label},
    {"merge_group", &k_merge_group},
    {"milestone", &k_milestone},
    {"page_build", &k_page_build},
    {"project", &k_project},
    {"project_card", &k_project_card},
    {"project_column", &k_project_column},
    {"public", &k_public},
    {"pull_request", &k_pull_request},
    {"pull_request_comment", &k_pull_request_comment},
    {"pull_request_review", &k_pull_request_review},
    {"pull_request_review_comment", &k_pull_request_review_comment},
    {"pull_request_target", &k_pull_request_target},
    {"push", &k_push},
    {"registry_package", &k_registry_package},
    {"release", &k_release},
    {"repository_dispatch", &k_repository_dispatch},
    {"schedule", &k_schedule},
    {"status", &k_status},
    {"watch", &k_watch},
    {"workflow_call", &k_workflow_call},
    {"workflow_dispatch", &k_workflow_dispatch},
    {"workflow_run", &k_workflow_run},
}};

constexpr std::array<V, 37> k_event_names = {
    "branch_protection_rule",
    "check_run",
    "check_suite",
    "create",
    "delete",
    "deployment",
    "deployment_status",
    "discussion",
    "discussion_comment",
    "fork",
    "gollum",
    "image_version",
    "issue_comment",
    "issues",
    "label",
    "merge_group",
    "milestone",
    "page_build",
    "project",
    "project_card",
    "project_column",
    "public",
    "pull_request",
    "pull_request_comment",
    "pull_request_review",
    "pull_request_review_comment",
    "pull_request_target",
    "push",
    "registry_package",
    "release",
    "repository_dispatch",
    "schedule",
    "status",
    "watch",
    "workflow_call",
    "workflow_dispatch",
    "workflow_run",
};

const Def k_on_mapping{
    .name = "on-mapping", .shape = Shape::mapping, .properties = k_on_properties};
const Def k_on_string{
    .name = "on-string-strict", .shape = Shape::allowed_values, .values = k_event_names};
const Def k_on_sequence{
    .name = "on-sequence-strict", .shape = Shape::sequence, .item = &k_on_string};
const std::array<const Def*, 3> k_on_alternatives = {&k_on_string, &k_on_sequence, &k_on_mapping};

const std::array<const Def*, 40> k_named = {
    &k_on_mapping,
    &k_branch_protection_rule_mapping,
    &k_check_run_mapping,
    &k_check_suite_mapping,
    &k_discussion_mapping,
    &k_discussion_comment_mapping,
    &k_image_version_mapping,
    &k_issue_comment_mapping,
    &k_issues_mapping,
    &k_label_mapping,
    &k_merge_group_mapping,
    &k_milestone_mapping,
    &k_project_mapping,
    &k_project_card_mapping,
    &k_project_column_mapping,
    &k_pull_request_mapping,
    &k_pull_request_review_mapping,
    &k_pull_request_review_comment_mapping,
    &k_pull_request_target_mapping,
    &k_push_mapping,
    &k_registry_package_mapping,
    &k_release_mapping,
    &k_repository_dispatch_mapping,
    &k_watch_mapping,
    &k_workflow_run_mapping,
    &k_cron_mapping,
    &k_call_mapping,
    &k_call_inputs,
    &k_call_input,
    &k_call_secrets,
    &k_call_secret_mapping,
    &k_call_outputs,
    &k_call_output,
    &k_dispatch_mapping,
    &k_dispatch_inputs,
    &k_dispatch_input,
    &k_call_input_default,
    &k_workflow_output_context,
    &k_on_string,
    &k_on_sequence,
};

}  // namespace

const Def k_on{.name = "on", .shape = Shape::one_of, .alternatives = k_on_alternatives};

std::span<const Def* const> event_definitions() {
  return k_named;
}

std::span<const std::string_view> event_names() {
  return k_event_names;
}

}  // namespace pipewright::workflow::schema
