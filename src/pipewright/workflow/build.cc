// Reading the typed model out of the node tree. Each model struct has one reader; scalar
// helpers attach locations and the templates parsed during validation.
#include "pipewright/workflow/build.h"

#include "pipewright/workflow/yaml/scalar.h"

namespace pipewright::workflow {

namespace {

using yaml::Node;

class Reader {
 public:
  Reader(const yaml::Document& document, const Validation& validation)
      : m_doc(document), m_validation(validation) {}

  Location location(const Node* node) const {
    if (!node) return {};
    return {m_doc.file(), node->mark.line, node->mark.column};
  }

  Text text(const Node* node) const {
    Text t;
    if (!node) return t;
    t.node = node;
    t.location = location(node);
    if (node->is_scalar()) t.value = node->value;
    auto it = m_validation.templates.find(node);
    if (it != m_validation.templates.end()) t.tmpl = it->second;
    return t;
  }

  Bool boolean(const Node* node) const {
    Bool b;
    b.text = text(node);
    // Style-insensitive: action.yml's `required: 'true'` is read as true; for workflows the
    // schema check has already reported a quoted boolean.
    if (node && node->is_scalar()) b.value = yaml::core_bool(node->value);
    return b;
  }

  Number number(const Node* node) const {
    Number n;
    n.text = text(node);
    if (node && node->is_scalar()) n.value = yaml::core_number(node->value);
    return n;
  }

  // A scalar or a sequence of scalars.
  TextList list(const Node* node) const {
    TextList l;
    if (!node) return l;
    l.node = node;
    l.location = location(node);
    if (node->is_scalar() && !node->is_null()) l.items.push_back(text(node));
    if (node->is_sequence())
      for (const Node* item : node->items)
        if (item->is_scalar()) l.items.push_back(text(item));
    return l;
  }

  TextMap map(const Node* node) const {
    TextMap m;
    if (!node) return m;
    m.node = node;
    m.location = location(node);
    if (node->is_scalar() && !node->is_null()) m.expression = text(node);
    if (node->is_mapping())
      for (const yaml::Pair& pair : node->pairs)
        if (pair.key->is_scalar()) m.entries.emplace_back(text(pair.key), text(pair.value));
    return m;
  }

  static const Node* get(const Node* node, std::string_view key) {
    return node && node->is_mapping() ? node->find(key) : nullptr;
  }

  Permissions permissions(const Node* node) const {
    Permissions p;
    if (!node) return p;
    p.node = node;
    p.location = location(node);
    if (node->is_scalar()) {
      if (node->value == "read-all") p.shorthand = PermissionShorthand::read_all;
      if (node->value == "write-all") p.shorthand = PermissionShorthand::write_all;
    }
    if (node->is_mapping())
      for (const yaml::Pair& pair : node->pairs) {
        Permission permission{text(pair.key), PermissionLevel::none};
        if (pair.value->value == "read") permission.level = PermissionLevel::read;
        if (pair.value->value == "write") permission.level = PermissionLevel::write;
        p.scopes.push_back(std::move(permission));
      }
    return p;
  }

  Concurrency concurrency(const Node* node) const {
    Concurrency c;
    if (!node) return c;
    c.node = node;
    c.location = location(node);
    if (node->is_scalar()) c.group = text(node);
    c.group = node->is_mapping() ? text(get(node, "group")) : c.group;
    c.cancel_in_progress = boolean(get(node, "cancel-in-progress"));
    c.queue = text(get(node, "queue"));
    return c;
  }

  RunDefaults defaults(const Node* node) const {
    RunDefaults d;
    const Node* run = get(node, "run");
    if (!run) return d;
    d.node = run;
    d.location = location(run);
    d.shell = text(get(run, "shell"));
    d.working_directory = text(get(run, "working-directory"));
    return d;
  }

  std::vector<InputDefinition> inputs(const Node* node) const {
    static const std::pair<std::string_view, InputType> k_types[] = {
        {"string", InputType::string},
        {"boolean", InputType::boolean},
        {"number", InputType::number},
        {"choice", InputType::choice},
        {"environment", InputType::environment}};
    std::vector<InputDefinition> out;
    if (!node || !node->is_mapping()) return out;
    for (const yaml::Pair& pair : node->pairs) {
      InputDefinition input;
      const Node* v = pair.value;
      input.id = text(pair.key);
      input.location = location(pair.key);
      input.description = text(get(v, "description"));
      input.type = text(get(v, "type"));
      for (const auto& [name, type] : k_types)
        if (input.type.value == name) input.input_type = type;
      input.required = boolean(get(v, "required"));
      input.default_value = text(get(v, "default"));
      input.default_node = get(v, "default");
      input.options = list(get(v, "options"));
      out.push_back(std::move(input));
    }
    return out;
  }

  std::vector<SecretDefinition> secrets(const Node* node) const {
    std::vector<SecretDefinition> out;
    if (!node || !node->is_mapping()) return out;
    for (const yaml::Pair& pair : node->pairs)
      out.push_back(SecretDefinition{text(pair.key), text(get(pair.value, "description")),
                                     boolean(get(pair.value, "required")), location(pair.key)});
    return out;
  }

  std::vector<OutputDefinition> outputs(const Node* node) const {
    std::vector<OutputDefinition> out;
    if (!node || !node->is_mapping()) return out;
    for (const yaml::Pair& pair : node->pairs)
      out.push_back(OutputDefinition{text(pair.key), text(get(pair.value, "description")),
                                     text(get(pair.value, "value")), location(pair.key)});
    return out;
  }

  Event event(const Node* name, const Node* config) const {
    Event e;
    e.name = text(name);
    e.location = location(name);
    e.config = config;
    e.types = list(get(config, "types"));
    e.branches = list(get(config, "branches"));
    e.branches_ignore = list(get(config, "branches-ignore"));
    e.tags = list(get(config, "tags"));
    e.tags_ignore = list(get(config, "tags-ignore"));
    e.paths = list(get(config, "paths"));
    e.paths_ignore = list(get(config, "paths-ignore"));
    e.workflows = list(get(config, "workflows"));
    e.names = list(get(config, "names"));
    e.versions = list(get(config, "versions"));
    if (e.name.value == "schedule" && config && config->is_sequence())
      for (const Node* entry : config->items)
        e.schedule.push_back(
            CronEntry{text(get(entry, "cron")), text(get(entry, "timezone")), location(entry)});
    e.inputs = inputs(get(config, "inputs"));
    e.secrets = secrets(get(config, "secrets"));
    e.outputs = outputs(get(config, "outputs"));
    return e;
  }

  std::vector<Event> on(const Node* node) const {
    std::vector<Event> out;
    if (!node) return out;
    if (node->is_scalar() && !node->is_null()) out.push_back(event(node, nullptr));
    if (node->is_sequence())
      for (const Node* item : node->items)
        if (item->is_scalar()) out.push_back(event(item, nullptr));
    if (node->is_mapping())
      for (const yaml::Pair& pair : node->pairs)
        if (pair.key->is_scalar()) out.push_back(event(pair.key, pair.value));
    return out;
  }

  Container container(const Node* id, const Node* node) const {
    Container c;
    if (!node) return c;
    c.id = text(id);
    c.node = node;
    c.location = location(node);
    if (node->is_scalar()) {
      c.image = text(node);
      return c;
    }
    c.image = text(get(node, "image"));
    c.options = text(get(node, "options"));
    c.env = map(get(node, "env"));
    c.ports = list(get(node, "ports"));
    c.volumes = list(get(node, "volumes"));
    const Node* credentials = get(node, "credentials");
    c.username = text(get(credentials, "username"));
    c.password = text(get(credentials, "password"));
    c.entrypoint = text(get(node, "entrypoint"));
    c.command = text(get(node, "command"));
    return c;
  }

  Step step(const Node* node) const {
    static const std::pair<std::string_view, StepKind> k_forms[] = {
        {"run", StepKind::run},       {"uses", StepKind::uses},
        {"wait", StepKind::wait},     {"wait-all", StepKind::wait_all},
        {"cancel", StepKind::cancel}, {"parallel", StepKind::parallel}};
    Step s;
    s.node = node;
    s.location = location(node);
    if (!node || !node->is_mapping()) return s;
    for (const auto& [key, kind] : k_forms)
      if (node->find(key)) {
        s.kind = kind;
        break;
      }
    s.id = text(get(node, "id"));
    s.if_condition = text(get(node, "if"));
    s.name = text(get(node, "name"));
    s.uses = text(get(node, "uses"));
    s.run = text(get(node, "run"));
    s.working_directory = text(get(node, "working-directory"));
    s.shell = text(get(node, "shell"));
    s.with = map(get(node, "with"));
    s.env = map(get(node, "env"));
    s.continue_on_error = boolean(get(node, "continue-on-error"));
    s.timeout_minutes = number(get(node, "timeout-minutes"));
    s.background = boolean(get(node, "background"));
    s.wait = list(get(node, "wait"));
    s.wait_all = boolean(get(node, "wait-all"));
    s.cancel = text(get(node, "cancel"));
    s.parallel = steps(get(node, "parallel"));
    return s;
  }

  std::vector<Step> steps(const Node* node) const {
    std::vector<Step> out;
    if (node && node->is_sequence())
      for (const Node* item : node->items)
        out.push_back(step(item));
    return out;
  }

  Strategy strategy(const Node* node) const {
    Strategy s;
    if (!node) return s;
    s.node = node;
    s.location = location(node);
    if (node->is_scalar()) {
      s.expression = text(node);
      return s;
    }
    const Node* matrix = get(node, "matrix");
    if (matrix && matrix->is_scalar()) s.matrix_expression = text(matrix);
    if (matrix && matrix->is_mapping()) s.matrix = matrix;
    s.fail_fast = boolean(get(node, "fail-fast"));
    s.max_parallel = number(get(node, "max-parallel"));
    return s;
  }

  RunsOn runs_on(const Node* node) const {
    RunsOn r;
    if (!node) return r;
    r.node = node;
    r.location = location(node);
    if (node->is_mapping()) {
      r.group = text(get(node, "group"));
      r.labels = list(get(node, "labels"));
    } else {
      r.labels = list(node);
    }
    return r;
  }

  Environment environment(const Node* node) const {
    Environment e;
    if (!node) return e;
    e.node = node;
    e.location = location(node);
    if (node->is_scalar()) {
      e.name = text(node);
      return e;
    }
    e.name = text(get(node, "name"));
    e.url = text(get(node, "url"));
    e.deployment = boolean(get(node, "deployment"));
    return e;
  }

  Snapshot snapshot(const Node* node) const {
    Snapshot s;
    if (!node) return s;
    s.node = node;
    s.location = location(node);
    if (node->is_scalar()) {
      s.image_name = text(node);
      return s;
    }
    s.image_name = text(get(node, "image-name"));
    s.if_condition = text(get(node, "if"));
    s.version = text(get(node, "version"));
    return s;
  }

  Job job(const Node* id, const Node* node) const {
    Job j;
    j.id = text(id);
    j.location = location(id);
    j.node = node;
    if (!node || !node->is_mapping()) return j;
    j.name = text(get(node, "name"));
    j.needs = list(get(node, "needs"));
    j.if_condition = text(get(node, "if"));
    j.permissions = permissions(get(node, "permissions"));
    j.runs_on = runs_on(get(node, "runs-on"));
    j.environment = environment(get(node, "environment"));
    j.concurrency = concurrency(get(node, "concurrency"));
    j.outputs = map(get(node, "outputs"));
    j.env = map(get(node, "env"));
    j.defaults = defaults(get(node, "defaults"));
    j.steps = steps(get(node, "steps"));
    j.timeout_minutes = number(get(node, "timeout-minutes"));
    j.cancel_timeout_minutes = number(get(node, "cancel-timeout-minutes"));
    j.strategy = strategy(get(node, "strategy"));
    j.continue_on_error = boolean(get(node, "continue-on-error"));
    j.container = container(nullptr, get(node, "container"));
    if (const Node* services = get(node, "services"); services && services->is_mapping())
      for (const yaml::Pair& pair : services->pairs)
        j.services.push_back(container(pair.key, pair.value));
    j.snapshot = snapshot(get(node, "snapshot"));
    j.uses = text(get(node, "uses"));
    j.with = map(get(node, "with"));
    const Node* secrets = get(node, "secrets");
    if (secrets && secrets->is_scalar() && secrets->value == "inherit") j.secrets_inherit = true;
    j.secrets = map(secrets && secrets->is_mapping() ? secrets : nullptr);
    return j;
  }

 private:
  const yaml::Document& m_doc;
  const Validation& m_validation;
};

}  // namespace

Workflow build_workflow(const yaml::Document& document, const Validation& validation) {
  Reader r(document, validation);
  const Node* root = document.root();
  Workflow w;
  w.file = document.file();
  w.name = r.text(Reader::get(root, "name"));
  w.description = r.text(Reader::get(root, "description"));
  w.run_name = r.text(Reader::get(root, "run-name"));
  const Node* on = Reader::get(root, "on");
  w.on = r.on(on);
  w.on_location = r.location(on);
  w.env = r.map(Reader::get(root, "env"));
  w.defaults = r.defaults(Reader::get(root, "defaults"));
  w.permissions = r.permissions(Reader::get(root, "permissions"));
  w.concurrency = r.concurrency(Reader::get(root, "concurrency"));
  if (const Node* jobs = Reader::get(root, "jobs"); jobs && jobs->is_mapping())
    for (const yaml::Pair& pair : jobs->pairs)
      if (pair.key->is_scalar()) w.jobs.push_back(r.job(pair.key, pair.value));
  w.expressions = validation.sites;
  return w;
}

Action build_action(const yaml::Document& document, const Validation& validation) {
  static const std::pair<std::string_view, ActionUsing> k_using[] = {
      {"composite", ActionUsing::composite}, {"node12", ActionUsing::node12},
      {"node16", ActionUsing::node16},       {"node20", ActionUsing::node20},
      {"node24", ActionUsing::node24},       {"docker", ActionUsing::docker}};
  Reader r(document, validation);
  const Node* root = document.root();
  Action a;
  a.file = document.file();
  a.name = r.text(Reader::get(root, "name"));
  a.author = r.text(Reader::get(root, "author"));
  a.description = r.text(Reader::get(root, "description"));
  if (const Node* inputs = Reader::get(root, "inputs"); inputs && inputs->is_mapping())
    for (const yaml::Pair& pair : inputs->pairs) {
      const Node* v = pair.value;
      a.inputs.push_back(
          ActionInput{r.text(pair.key), r.text(Reader::get(v, "description")),
                      r.boolean(Reader::get(v, "required")), r.text(Reader::get(v, "default")),
                      r.text(Reader::get(v, "deprecationMessage")), r.location(pair.key)});
    }
  if (const Node* outputs = Reader::get(root, "outputs"); outputs && outputs->is_mapping())
    for (const yaml::Pair& pair : outputs->pairs)
      a.outputs.push_back(
          ActionOutput{r.text(pair.key), r.text(Reader::get(pair.value, "description")),
                       r.text(Reader::get(pair.value, "value")), r.location(pair.key)});
  const Node* runs = Reader::get(root, "runs");
  ActionRuns& x = a.runs;
  x.node = runs;
  x.location = r.location(runs);
  x.using_text = r.text(Reader::get(runs, "using"));
  for (const auto& [name, kind] : k_using)
    if (x.using_text.value == name) x.using_kind = kind;
  x.main = r.text(Reader::get(runs, "main"));
  x.pre = r.text(Reader::get(runs, "pre"));
  x.post = r.text(Reader::get(runs, "post"));
  x.pre_if = r.text(Reader::get(runs, "pre-if"));
  x.post_if = r.text(Reader::get(runs, "post-if"));
  x.steps = r.steps(Reader::get(runs, "steps"));
  x.image = r.text(Reader::get(runs, "image"));
  x.entrypoint = r.text(Reader::get(runs, "entrypoint"));
  x.pre_entrypoint = r.text(Reader::get(runs, "pre-entrypoint"));
  x.post_entrypoint = r.text(Reader::get(runs, "post-entrypoint"));
  x.args = r.list(Reader::get(runs, "args"));
  x.env = r.map(Reader::get(runs, "env"));
  const Node* branding = Reader::get(root, "branding");
  a.branding_icon = r.text(Reader::get(branding, "icon"));
  a.branding_color = r.text(Reader::get(branding, "color"));
  a.expressions = validation.sites;
  return a;
}

}  // namespace pipewright::workflow
