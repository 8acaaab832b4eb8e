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
//
// What json_parse accepts is also what json_serialize writes back: every string is UTF-8 (RapidJSON
// 1.1.0 alone lets a lone low-surrogate escape such as "\udc00" through as non-UTF-8 bytes) and every
// number is finite (RapidJSON 1.1.0 alone reads "10e308" as infinity, which its writer cannot write).
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

// JsonNumbers: how a parse keeps numbers.
//  - kValues: as RapidJSON numbers (int, uint, int64, uint64 or double).
//  - kText: each as its exact text ("1.50", "0e-30", "184467440737095516155"), so that writing the
//    document back never changes a number (the config file: a user's number is written back as they
//    wrote it). Such a value is stored as a string that only json_number_text recognises:
//    json_type_name calls it "number", json_serialize writes the text unquoted, and the getters see a
//    number (json_get_string refuses it; json_get_int64 and json_get_id take an integer's text).
//    A number is accepted in either mode exactly when kValues would read it as a finite double.
enum class JsonNumbers { kValues, kText };

// JsonParseError: where (byte offset into the text) and why a text was refused: RapidJSON's English
// error text, e.g. "Missing a colon after a name of object member.". Never content.
struct JsonParseError {
  std::size_t offset = 0;
  std::string message;
};

// json_parse_into: the parser behind json_parse, for callers that report errors their own way
// (ConfigFile: line and column): fills `doc`, or returns why not. Strings must be UTF-8 (a lone
// surrogate escape is "The surrogate pair in string is invalid.", at the escape) and numbers finite
// ("Number too big to be stored in double.", at the number). Unlike json_parse it does not limit
// size or depth, and `text` must hold no NUL (RapidJSON reads one as the end of input).
std::optional<JsonParseError> json_parse_into(std::string_view text, JsonNumbers numbers, rapidjson::Document& doc);

// json_parse: parses one complete JSON value: UTF-8 validated (escapes included), every number
// finite, parsed without recursion, at most kJsonMaxDepth levels deep. json_invalid names the byte
// offset and RapidJSON's error text ("invalid JSON at offset 12: Missing a colon after a name of
// object member."), never content.
Result<rapidjson::Document> json_parse(std::string_view text, JsonNumbers numbers = JsonNumbers::kValues);

// json_number_text: the exact text of a number parsed with JsonNumbers::kText; nullopt for any other
// value. The view borrows from `value`.
std::optional<std::string_view> json_number_text(const rapidjson::Value& value);

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

// JsonLayout: json_serialize's output: one line, or indented by 2 spaces per level (no final newline).
enum class JsonLayout { kCompact, kPretty };

// json_serialize: `value` as JSON text; numbers kept as text (JsonNumbers::kText) are written as they
// were read. What json_parse returned serialises to text json_parse accepts again (doubles are
// written shortest-first, so a double may come back a unit in the last place off; a number kept as
// text comes back as the same text).
std::string json_serialize(const rapidjson::Value& value, JsonLayout layout = JsonLayout::kCompact);

// json_depth: the nesting depth of `root` (1 for a scalar), walked without recursion.
std::size_t json_depth(const rapidjson::Value& root);

}  // namespace keryx
