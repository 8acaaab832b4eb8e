// json.cc: json_parse and the typed getters. Messages carry key names and JSON type names only.
#include "json.h"

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

namespace keryx {
namespace {

constexpr unsigned kParseFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;

std::string quoted(std::string_view key) { return "\"" + std::string(key) + "\""; }

Status wrong_type(std::string_view key, std::string_view expected, const rapidjson::Value& got) {
  return Status(Code::kJsonInvalid, "field " + quoted(key) + " must be " + std::string(expected) + ", got " +
                                        std::string(json_type_name(got)));
}

// find: the member `key` of `object`; nullptr when missing. json_invalid when `object` is no object.
Result<const rapidjson::Value*> find(const rapidjson::Value& object, std::string_view key) {
  if (!object.IsObject()) {
    return Status(Code::kJsonInvalid,
                  "expected a JSON object holding " + quoted(key) + ", got " + std::string(json_type_name(object)));
  }
  auto name = rapidjson::StringRef(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  auto it = object.FindMember(rapidjson::Value(name));
  return it == object.MemberEnd() ? nullptr : &it->value;
}

// find_present: as find, but a null value is reported as missing (nullptr).
Result<const rapidjson::Value*> find_present(const rapidjson::Value& object, std::string_view key) {
  Result<const rapidjson::Value*> found = find(object, key);
  if (found.ok() && found.value() != nullptr && found.value()->IsNull()) return nullptr;
  return found;
}

Status missing(std::string_view key) { return Status(Code::kJsonInvalid, "field " + quoted(key) + " is missing"); }

// Required and optional getters share one converter each: (value, key) -> Result<T>.
template <typename T, typename Convert>
Result<std::optional<T>> get_optional(const rapidjson::Value& object, std::string_view key, Convert convert) {
  Result<const rapidjson::Value*> found = find_present(object, key);
  if (!found.ok()) return found.status();
  if (found.value() == nullptr) return std::optional<T>();
  Result<T> converted = convert(*found.value(), key);
  if (!converted.ok()) return converted.status();
  return std::optional<T>(std::move(converted).value());
}

template <typename T, typename Convert>
Result<T> get_required(const rapidjson::Value& object, std::string_view key, Convert convert) {
  Result<std::optional<T>> got = get_optional<T>(object, key, convert);
  if (!got.ok()) return got.status();
  if (!got.value().has_value()) return missing(key);
  return std::move(*std::move(got).value());
}

Result<std::string> to_string_value(const rapidjson::Value& value, std::string_view key) {
  if (!value.IsString()) return wrong_type(key, "a string", value);
  return std::string(value.GetString(), value.GetStringLength());
}

Result<std::int64_t> to_int64(const rapidjson::Value& value, std::string_view key) {
  if (value.IsInt64()) return value.GetInt64();
  if (value.IsUint64()) {
    return Status(Code::kJsonInvalid, "field " + quoted(key) + " is out of the 64-bit integer range");
  }
  if (value.IsDouble()) {
    double d = value.GetDouble();
    // 2^63 is exactly representable; integral doubles in [-2^63, 2^63) convert without loss.
    if (std::isfinite(d) && std::trunc(d) == d && d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
      return static_cast<std::int64_t>(d);
    }
    return Status(Code::kJsonInvalid, "field " + quoted(key) + " must be an integer");
  }
  if (value.IsString()) {
    const char* begin = value.GetString();
    const char* end = begin + value.GetStringLength();
    std::int64_t out = 0;
    auto [ptr, ec] = std::from_chars(begin, end, out);  // digits with an optional '-', nothing else
    if (begin != end && ec == std::errc() && ptr == end) return out;
    return Status(Code::kJsonInvalid, "field " + quoted(key) + " must be an integer or a string of decimal digits");
  }
  return wrong_type(key, "an integer", value);
}

Result<std::string> to_id(const rapidjson::Value& value, std::string_view key) {
  if (value.IsString()) return std::string(value.GetString(), value.GetStringLength());
  if (value.IsInt64()) return std::to_string(value.GetInt64());
  if (value.IsUint64()) return std::to_string(value.GetUint64());
  if (value.IsNumber()) {
    return Status(Code::kJsonInvalid, "field " + quoted(key) + " is a number that cannot be kept exactly as an id");
  }
  return wrong_type(key, "a string or an integer", value);
}

Result<bool> to_bool(const rapidjson::Value& value, std::string_view key) {
  if (!value.IsBool()) return wrong_type(key, "a boolean", value);
  return value.GetBool();
}

Result<const rapidjson::Value*> to_object(const rapidjson::Value& value, std::string_view key) {
  if (!value.IsObject()) return wrong_type(key, "an object", value);
  return &value;
}

Result<const rapidjson::Value*> to_array(const rapidjson::Value& value, std::string_view key) {
  if (!value.IsArray()) return wrong_type(key, "an array", value);
  return &value;
}

}  // namespace

Result<rapidjson::Document> json_parse(std::string_view text) {
  if (text.size() > kJsonMaxInputBytes) {
    return Status(Code::kJsonInvalid, "JSON text is longer than " + std::to_string(kJsonMaxInputBytes) + " bytes");
  }
  // RapidJSON's streams read '\0' as the end of input; a raw NUL is never valid JSON anyway.
  if (std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return Status(Code::kJsonInvalid, "invalid JSON at offset " + std::to_string(nul) + ": NUL byte.");
  }
  rapidjson::Document doc;
  doc.Parse<kParseFlags>(text.data(), text.size());
  if (doc.HasParseError()) {
    return Status(Code::kJsonInvalid, "invalid JSON at offset " + std::to_string(doc.GetErrorOffset()) + ": " +
                                          rapidjson::GetParseError_En(doc.GetParseError()));
  }
  if (json_depth(doc) > kJsonMaxDepth) {
    return Status(Code::kJsonInvalid, "JSON nests deeper than " + std::to_string(kJsonMaxDepth) + " levels");
  }
  return Result<rapidjson::Document>(std::move(doc));
}

std::string_view json_type_name(const rapidjson::Value& value) {
  switch (value.GetType()) {
    case rapidjson::kNullType: return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType: return "boolean";
    case rapidjson::kObjectType: return "object";
    case rapidjson::kArrayType: return "array";
    case rapidjson::kStringType: return "string";
    case rapidjson::kNumberType: return "number";
  }
  return "unknown";
}

bool json_has(const rapidjson::Value& object, std::string_view key) {
  Result<const rapidjson::Value*> found = find_present(object, key);
  return found.ok() && found.value() != nullptr;
}

Result<std::string> json_get_string(const rapidjson::Value& object, std::string_view key) {
  return get_required<std::string>(object, key, to_string_value);
}

Result<std::optional<std::string>> json_get_optional_string(const rapidjson::Value& object, std::string_view key) {
  return get_optional<std::string>(object, key, to_string_value);
}

Result<std::int64_t> json_get_int64(const rapidjson::Value& object, std::string_view key) {
  return get_required<std::int64_t>(object, key, to_int64);
}

Result<std::optional<std::int64_t>> json_get_optional_int64(const rapidjson::Value& object, std::string_view key) {
  return get_optional<std::int64_t>(object, key, to_int64);
}

Result<std::string> json_get_id(const rapidjson::Value& object, std::string_view key) {
  return get_required<std::string>(object, key, to_id);
}

Result<std::optional<std::string>> json_get_optional_id(const rapidjson::Value& object, std::string_view key) {
  return get_optional<std::string>(object, key, to_id);
}

Result<std::optional<bool>> json_get_optional_bool(const rapidjson::Value& object, std::string_view key) {
  return get_optional<bool>(object, key, to_bool);
}

Result<const rapidjson::Value*> json_get_object(const rapidjson::Value& object, std::string_view key) {
  return get_required<const rapidjson::Value*>(object, key, to_object);
}

Result<const rapidjson::Value*> json_get_optional_object(const rapidjson::Value& object, std::string_view key) {
  Result<std::optional<const rapidjson::Value*>> got = get_optional<const rapidjson::Value*>(object, key, to_object);
  if (!got.ok()) return got.status();
  return got.value().value_or(nullptr);
}

Result<const rapidjson::Value*> json_get_array(const rapidjson::Value& object, std::string_view key) {
  return get_required<const rapidjson::Value*>(object, key, to_array);
}

Result<std::vector<std::string>> json_get_string_array(const rapidjson::Value& object, std::string_view key) {
  Result<std::optional<const rapidjson::Value*>> got = get_optional<const rapidjson::Value*>(object, key, to_array);
  if (!got.ok()) return got.status();
  std::vector<std::string> out;
  if (!got.value().has_value()) return out;
  for (const rapidjson::Value& item : (*got.value())->GetArray()) {
    if (!item.IsString()) {
      return Status(Code::kJsonInvalid,
                    "field " + quoted(key) + " must hold only strings, got " + std::string(json_type_name(item)));
    }
    out.emplace_back(item.GetString(), item.GetStringLength());
  }
  return out;
}

std::string json_serialize(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::size_t json_depth(const rapidjson::Value& root) {
  std::size_t deepest = 0;
  std::vector<std::pair<const rapidjson::Value*, std::size_t>> stack{{&root, 1}};
  while (!stack.empty()) {
    auto [value, level] = stack.back();
    stack.pop_back();
    deepest = std::max(deepest, level);
    if (value->IsArray()) {
      for (const rapidjson::Value& item : value->GetArray()) stack.emplace_back(&item, level + 1);
    } else if (value->IsObject()) {
      for (const auto& member : value->GetObject()) stack.emplace_back(&member.value, level + 1);
    }
  }
  return deepest;
}

}  // namespace keryx
