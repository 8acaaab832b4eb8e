// json_fuzz: json_parse, the parser under every token, API and metadata response, and the typed
// getters the normalisers call on what it returns. On a successful parse:
//  - json_depth, json_type_name, json_serialize (and json_parse of that text);
//  - every getter (string, int64, id, bool, object, array, string array, required and optional)
//    on the root and on each member's object value, for each member name (up to 64) and a few
//    fixed keys (access_token, expires_in, user_id, scope, data).
// Invariants (trap on violation): parse failures are json_invalid; a parsed document is at most
// kJsonMaxDepth deep; its serialisation parses again to the same depth; getters fail only with
// json_invalid, agree with json_has, and a required getter fails exactly when the optional one
// finds nothing or fails.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "json.h"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "json_fuzz: invariant violated: %s\n", what);
    __builtin_trap();
  }
}

template <typename T>
void check_failure(const keryx::Result<T>& r, const char* what) {
  check(r.ok() || r.status().code() == keryx::Code::kJsonInvalid, what);
}

void probe(const rapidjson::Value& object, std::string_view key) {
  const bool has = keryx::json_has(object, key);

  auto opt_string = keryx::json_get_optional_string(object, key);
  auto req_string = keryx::json_get_string(object, key);
  check_failure(opt_string, "json_get_optional_string failed other than json_invalid");
  check_failure(req_string, "json_get_string failed other than json_invalid");
  check(req_string.ok() == (opt_string.ok() && opt_string.value().has_value()), "string getters disagree");

  auto opt_int = keryx::json_get_optional_int64(object, key);
  auto req_int = keryx::json_get_int64(object, key);
  check_failure(opt_int, "json_get_optional_int64 failed other than json_invalid");
  check_failure(req_int, "json_get_int64 failed other than json_invalid");
  check(req_int.ok() == (opt_int.ok() && opt_int.value().has_value()), "int64 getters disagree");
  if (req_int.ok()) check(*opt_int.value() == req_int.value(), "int64 getters return different numbers");

  auto opt_id = keryx::json_get_optional_id(object, key);
  auto req_id = keryx::json_get_id(object, key);
  check_failure(opt_id, "json_get_optional_id failed other than json_invalid");
  check_failure(req_id, "json_get_id failed other than json_invalid");
  check(req_id.ok() == (opt_id.ok() && opt_id.value().has_value()), "id getters disagree");

  auto opt_bool = keryx::json_get_optional_bool(object, key);
  check_failure(opt_bool, "json_get_optional_bool failed other than json_invalid");

  auto opt_object = keryx::json_get_optional_object(object, key);
  auto req_object = keryx::json_get_object(object, key);
  check_failure(opt_object, "json_get_optional_object failed other than json_invalid");
  check_failure(req_object, "json_get_object failed other than json_invalid");
  check(req_object.ok() == (opt_object.ok() && opt_object.value() != nullptr), "object getters disagree");
  if (req_object.ok()) check(req_object.value()->IsObject(), "json_get_object returned a non-object");

  auto array = keryx::json_get_array(object, key);
  check_failure(array, "json_get_array failed other than json_invalid");
  if (array.ok()) check(array.value()->IsArray(), "json_get_array returned a non-array");
  auto strings = keryx::json_get_string_array(object, key);
  check_failure(strings, "json_get_string_array failed other than json_invalid");

  // Present and non-null: some getter sees it; absent or null: every optional getter says so.
  if (!has && object.IsObject()) {
    check(opt_string.ok() && !opt_string.value(), "json_has says absent, a string getter found one");
    check(opt_int.ok() && !opt_int.value(), "json_has says absent, an int64 getter found one");
    check(opt_object.ok() && opt_object.value() == nullptr, "json_has says absent, an object getter found one");
  }
}

void probe_all(const rapidjson::Value& object) {
  static const char* const kFixed[] = {"access_token", "expires_in", "user_id", "scope", "data", "error"};
  for (const char* key : kFixed) probe(object, key);
  if (!object.IsObject()) return;
  std::size_t n = 0;
  for (const auto& member : object.GetObject()) {
    if (++n > 64) break;
    probe(object, std::string_view(member.name.GetString(), member.name.GetStringLength()));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  keryx::Result<rapidjson::Document> doc = keryx::json_parse(input);
  if (!doc.ok()) {
    check(doc.status().code() == keryx::Code::kJsonInvalid, "json_parse failed other than json_invalid");
    return 0;
  }
  const rapidjson::Document& d = doc.value();
  const std::size_t depth = keryx::json_depth(d);
  check(depth >= 1 && depth <= keryx::kJsonMaxDepth, "a parsed document deeper than kJsonMaxDepth");
  check(!keryx::json_type_name(d).empty(), "json_type_name is empty");

  const std::string text = keryx::json_serialize(d);
  keryx::Result<rapidjson::Document> again = keryx::json_parse(text);
  check(again.ok(), "json_serialize wrote text json_parse refuses");
  check(keryx::json_depth(again.value()) == depth, "json_serialize changed the depth");

  probe_all(d);
  if (d.IsObject()) {
    std::size_t n = 0;
    for (const auto& member : d.GetObject()) {
      if (++n > 16) break;
      if (member.value.IsObject()) probe_all(member.value);
      if (member.value.IsArray() && !member.value.Empty()) probe_all(member.value[0]);
    }
  }
  return 0;
}
