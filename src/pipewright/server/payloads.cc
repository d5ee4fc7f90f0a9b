#include "pipewright/server/payloads.h"

#include "pipewright/plan/repository.h"

namespace pipewright::server {

using expr::Object;
using expr::Value;

expr::Value with_repository(const Value& payload, const Repo& repo,
                            const std::string& default_branch) {
  Object out = payload.kind() == expr::Kind::object ? payload.as_object() : Object();
  if (out.find("repository")) return Value(std::move(out));
  std::string owner = repo.full_name.substr(0, repo.full_name.find('/'));
  std::string name = repo.full_name.substr(repo.full_name.find('/') + 1);
  Object owner_object;
  owner_object.set("login", Value(owner));
  Object repository;
  repository.set("full_name", Value(repo.full_name));
  repository.set("name", Value(name));
  repository.set("owner", Value(std::move(owner_object)));
  repository.set("default_branch", Value(default_branch));
  repository.set("clone_url", Value(repo.source));
  repository.set("private", Value(true));
  out.set("repository", Value(std::move(repository)));
  return Value(std::move(out));
}

expr::Value poll_push_payload(const std::string& ref, const std::string& before,
                              const std::string& after) {
  Object out;
  out.set("ref", Value(ref));
  out.set("before", Value(before));
  out.set("after", Value(after));
  out.set("created", Value(before == plan::k_zero_sha));
  out.set("deleted", Value(false));
  out.set("forced", Value(false));
  Object head;
  head.set("id", Value(after));
  out.set("head_commit", Value(std::move(head)));
  out.set("commits", Value(expr::Array()));
  return Value(std::move(out));
}

}  // namespace pipewright::server
