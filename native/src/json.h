// json.h: RapidJSON parsing and typed field access that returns Result instead of asserting, for
// token and API responses (RFC 6749 §5.1 / §5.2 bodies and the platforms' variants).
//
//   Result<rapidjson::Document> doc = json_parse(response.body);
//   if (!doc.ok()) return doc.status();                                  // json_invalid
//   Result<std::string> token = json_get_string(doc.value(), "access_token");
//   Result<std::optional<std::int64_t>> ttl = json_get_optional_int64(doc.value(), "expires_in");
//   Result<std::string> id = json_get_id(doc.value(), "user_id");       // 17841400000000000 stays exact
//
// Every getter takes the object to look in and a key. A wrong type, or a missing required key, is
// json_invalid with a message naming the key and the JSON types, never the value (it may be a token).
// An "optional" getter treats a missing key and a JSON null alike (std::nullopt / nullptr).
// RapidJSON appears only in this header: include it only where JSON is handled.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "status.h"

namespace keryx {

// kJsonMaxInputBytes: the longest text json_parse accepts (4 MiB, above any HTTP response cap).
inline constexpr std::size_t kJsonMaxInputBytes = std::size_t{4} * 1024 * 1024;

// kJsonMaxDepth: the deepest nesting json_parse accepts (so later recursive walks stay shallow).
inline constexpr std::size_t kJsonMaxDepth = 64;

// json_parse: parses one complete JSON value: UTF-8 validated, parsed without recursion, at most
// kJsonMaxDepth levels deep. json_invalid names the byte offset and RapidJSON's error text
// ("invalid JSON at offset 12: Missing a colon after a name of object member."), never content.
Result<rapidjson::Document> json_parse(std::string_view text);

// json_type_name: "null", "boolean", "number", "string", "array" or "object".
std::string_view json_type_name(const rapidjson::Value& value);

// json_has: true when `object` is an object holding `key` with a non-null value.
bool json_has(const rapidjson::Value& object, std::string_view key);

// json_get_string: the string at `key` (UTF-8, may be empty).
Result<std::string> json_get_string(const rapidjson::Value& object, std::string_view key);
// json_get_optional_string: the string at `key`, or std::nullopt when missing or null.
Result<std::optional<std::string>> json_get_optional_string(const rapidjson::Value& object, std::string_view key);

// json_get_int64: the integer at `key`. Accepts a JSON integer, an integral number such as 3600.0,
// or a string of decimal digits with an optional '-' ("3600"), as some platforms send expires_in.
Result<std::int64_t> json_get_int64(const rapidjson::Value& object, std::string_view key);
// json_get_optional_int64: as json_get_int64, or std::nullopt when missing or null.
Result<std::optional<std::int64_t>> json_get_optional_int64(const rapidjson::Value& object, std::string_view key);

// json_get_id: an identifier that may be sent as a string or an integer, as exact decimal text.
// Non-integral or out-of-range numbers are json_invalid (they would have lost precision).
Result<std::string> json_get_id(const rapidjson::Value& object, std::string_view key);
// json_get_optional_id: as json_get_id, or std::nullopt when missing or null.
Result<std::optional<std::string>> json_get_optional_id(const rapidjson::Value& object, std::string_view key);

// json_get_optional_bool: the boolean at `key`, or std::nullopt when missing or null.
Result<std::optional<bool>> json_get_optional_bool(const rapidjson::Value& object, std::string_view key);

// json_get_object: the object at `key`; the pointer borrows from `object` and is never null.
Result<const rapidjson::Value*> json_get_object(const rapidjson::Value& object, std::string_view key);
// json_get_optional_object: as json_get_object, or nullptr when missing or null.
Result<const rapidjson::Value*> json_get_optional_object(const rapidjson::Value& object, std::string_view key);

// json_get_array: the array at `key`; the pointer borrows from `object` and is never null.
Result<const rapidjson::Value*> json_get_array(const rapidjson::Value& object, std::string_view key);

// json_get_string_array: the array of strings at `key` (e.g. granted scopes); an empty vector when
// the key is missing or null. json_invalid when any element is not a string.
Result<std::vector<std::string>> json_get_string_array(const rapidjson::Value& object, std::string_view key);

// json_serialize: `value` as compact JSON text.
std::string json_serialize(const rapidjson::Value& value);

// json_depth: the nesting depth of `root` (1 for a scalar), walked without recursion.
std::size_t json_depth(const rapidjson::Value& root);

}  // namespace keryx
