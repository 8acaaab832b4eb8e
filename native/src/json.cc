// json.cc: json_parse and the typed getters. Messages carry key names and JSON type names only.
#include "json.h"

#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/reader.h>
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

// kNumberTextMark: the first byte of a string that holds a number's text (JsonNumbers::kText). 0xFF
// never occurs in UTF-8, and every parsed string is checked to be UTF-8, so no real string has it.
constexpr char kNumberTextMark = '\xFF';

// valid_utf8: well-formed UTF-8 (RFC 3629): shortest forms only, no surrogates (U+D800-U+DFFF),
// nothing past U+10FFFF.
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto lead = static_cast<unsigned char>(s[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    unsigned char low = 0x80;  // the range of the byte after the lead
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;   // overlong
      if (lead == 0xED) high = 0x9F;  // U+D800-U+DFFF
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;   // overlong
      if (lead == 0xF4) high = 0x8F;  // past U+10FFFF
    } else {
      return false;
    }
    if (s.size() - i < length) return false;
    const auto second = static_cast<unsigned char>(s[i + 1]);
    if (second < low || second > high) return false;
    for (std::size_t k = 2; k < length; ++k) {
      const auto next = static_cast<unsigned char>(s[i + k]);
      if (next < 0x80 || next > 0xBF) return false;
    }
    i += length;
  }
  return true;
}

// lone_surrogate_escape: the offset of the first "\uDC00"-"\uDFFF" escape in `text` that does not
// follow a "\uD800"-"\uDBFF" one; npos when none. `text` must be JSON up to its end (RapidJSON got
// that far), so every backslash starts an escape inside a string.
std::size_t lone_surrogate_escape(std::string_view text) {
  bool after_high = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      after_high = false;
      continue;
    }
    if (i + 5 < text.size() && text[i + 1] == 'u') {
      unsigned unit = 0;
      std::from_chars(text.data() + i + 2, text.data() + i + 6, unit, 16);
      if (unit >= 0xDC00 && unit <= 0xDFFF && !after_high) return i;
      after_high = unit >= 0xD800 && unit <= 0xDBFF;
      i += 5;
    } else {
      after_high = false;
      ++i;
    }
  }
  return std::string_view::npos;
}

// FiniteProbe: reads one number as json_parse does (RapidJSON's normal precision) and notes
// whether it is finite.
struct FiniteProbe : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, FiniteProbe> {
  bool finite = true;
  bool Double(double d) {
    finite = std::isfinite(d);
    return true;
  }
};

bool finite_number(std::string_view text) {
  FiniteProbe probe;
  rapidjson::Reader reader;
  rapidjson::MemoryStream bytes(text.data(), text.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(bytes);
  return !reader.Parse<rapidjson::kParseDefaultFlags>(in, probe).IsError() && probe.finite;
}

// CheckingHandler: stands between RapidJSON's reader and the document it fills, and refuses what
// RapidJSON 1.1.0 lets through: a string that is not UTF-8 (a lone low-surrogate escape, "\udc00",
// decodes to the bytes of a UTF-16 surrogate; a lone high one RapidJSON refuses itself), and a
// number past DBL_MAX whose exponent alone is in range ("10e308", read as infinity). With
// JsonNumbers::kText a number is stored as kNumberTextMark + its text.
class CheckingHandler {
 public:
  explicit CheckingHandler(rapidjson::Document& doc) : doc_(doc) {}

  // refusal: why this handler stopped the parse (kParseErrorNone when it did not).
  rapidjson::ParseErrorCode refusal() const { return refusal_; }

  bool Null() { return doc_.Null(); }
  bool Bool(bool b) { return doc_.Bool(b); }
  bool Int(int i) { return doc_.Int(i); }
  bool Uint(unsigned u) { return doc_.Uint(u); }
  bool Int64(std::int64_t i) { return doc_.Int64(i); }
  bool Uint64(std::uint64_t u) { return doc_.Uint64(u); }
  bool Double(double d) { return std::isfinite(d) ? doc_.Double(d) : refuse(rapidjson::kParseErrorNumberTooBig); }
  // RawNumber: JsonNumbers::kText's numbers (kParseNumbersAsStringsFlag), as text.
  bool RawNumber(const char* text, rapidjson::SizeType length, bool /*copy*/) {
    if (!finite_number(std::string_view(text, length))) return refuse(rapidjson::kParseErrorNumberTooBig);
    std::string marked(1, kNumberTextMark);
    marked.append(text, length);
    return doc_.String(marked.data(), static_cast<rapidjson::SizeType>(marked.size()), true);
  }
  bool String(const char* s, rapidjson::SizeType length, bool copy) {
    return valid_utf8(std::string_view(s, length)) ? doc_.String(s, length, copy) : refuse_string();
  }
  bool Key(const char* s, rapidjson::SizeType length, bool copy) {
    return valid_utf8(std::string_view(s, length)) ? doc_.Key(s, length, copy) : refuse_string();
  }
  bool StartObject() { return doc_.StartObject(); }
  bool EndObject(rapidjson::SizeType members) { return doc_.EndObject(members); }
  bool StartArray() { return doc_.StartArray(); }
  bool EndArray(rapidjson::SizeType elements) { return doc_.EndArray(elements); }

 private:
  bool refuse(rapidjson::ParseErrorCode why) {
    refusal_ = why;
    return false;
  }
  bool refuse_string() { return refuse(rapidjson::kParseErrorStringInvalidEncoding); }

  rapidjson::Document& doc_;
  rapidjson::ParseErrorCode refusal_ = rapidjson::kParseErrorNone;
};

template <unsigned kFlags>
std::optional<JsonParseError> parse_checked(std::string_view text, rapidjson::Document& doc) {
  CheckingHandler handler(doc);
  rapidjson::Reader reader;
  rapidjson::MemoryStream bytes(text.data(), text.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(bytes);
  rapidjson::ParseResult result;
  auto generate = [&](rapidjson::Document& /*target: the handler's*/) {
    result = reader.Parse<kFlags>(in, handler);
    return !result.IsError();
  };
  doc.Populate(generate);
  if (!result.IsError()) return std::nullopt;
  rapidjson::ParseErrorCode code = result.Code();
  std::size_t offset = result.Offset();
  if (code == rapidjson::kParseErrorTermination && handler.refusal() != rapidjson::kParseErrorNone) {
    code = handler.refusal();  // a number: its start; a string: just past it
    if (code == rapidjson::kParseErrorStringInvalidEncoding) {
      // Raw bytes were validated by RapidJSON, so the bad text came from an escape: point at it.
      std::size_t escape = lone_surrogate_escape(text.substr(0, offset));
      if (escape != std::string_view::npos) {
        code = rapidjson::kParseErrorStringUnicodeSurrogateInvalid;
        offset = escape;
      }
    }
  }
  return JsonParseError{offset, rapidjson::GetParseError_En(code)};
}

// plain_string: a JSON string, not a number kept as text.
bool plain_string(const rapidjson::Value& value) {
  return value.IsString() && (value.GetStringLength() == 0 || value.GetString()[0] != kNumberTextMark);
}

// NumberTextWriter: hands a value's events to `Writer`, writing each number kept as text unquoted,
// exactly as it was read.
template <typename Writer>
class NumberTextWriter {
 public:
  explicit NumberTextWriter(Writer& writer) : writer_(writer) {}

  bool Null() { return writer_.Null(); }
  bool Bool(bool b) { return writer_.Bool(b); }
  bool Int(int i) { return writer_.Int(i); }
  bool Uint(unsigned u) { return writer_.Uint(u); }
  bool Int64(std::int64_t i) { return writer_.Int64(i); }
  bool Uint64(std::uint64_t u) { return writer_.Uint64(u); }
  bool Double(double d) { return writer_.Double(d); }
  bool String(const char* s, rapidjson::SizeType length, bool copy) {
    if (length > 0 && s[0] == kNumberTextMark) return writer_.RawValue(s + 1, length - 1, rapidjson::kNumberType);
    return writer_.String(s, length, copy);
  }
  bool Key(const char* s, rapidjson::SizeType length, bool copy) { return writer_.Key(s, length, copy); }
  bool StartObject() { return writer_.StartObject(); }
  bool EndObject(rapidjson::SizeType members) { return writer_.EndObject(members); }
  bool StartArray() { return writer_.StartArray(); }
  bool EndArray(rapidjson::SizeType elements) { return writer_.EndArray(elements); }

 private:
  Writer& writer_;
};

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
  if (!plain_string(value)) return wrong_type(key, "a string", value);
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
  if (std::optional<std::string_view> text = json_number_text(value)) {
    std::int64_t out = 0;
    auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), out);
    if (ec == std::errc() && ptr == text->data() + text->size()) return out;
    return Status(Code::kJsonInvalid, "field " + quoted(key) + " must be an integer within 64 bits");
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

// is_integer_text: JSON integer syntax: an optional '-' and digits, nothing else.
bool is_integer_text(std::string_view text) {
  if (!text.empty() && text.front() == '-') text.remove_prefix(1);
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Result<std::string> to_id(const rapidjson::Value& value, std::string_view key) {
  if (std::optional<std::string_view> text = json_number_text(value)) {
    if (is_integer_text(*text)) return std::string(*text);  // exact whatever its size
    return Status(Code::kJsonInvalid, "field " + quoted(key) + " is a number that cannot be kept exactly as an id");
  }
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

std::optional<JsonParseError> json_parse_into(std::string_view text, JsonNumbers numbers, rapidjson::Document& doc) {
  if (numbers == JsonNumbers::kText) {
    return parse_checked<kParseFlags | rapidjson::kParseNumbersAsStringsFlag>(text, doc);
  }
  return parse_checked<kParseFlags>(text, doc);
}

Result<rapidjson::Document> json_parse(std::string_view text, JsonNumbers numbers) {
  if (text.size() > kJsonMaxInputBytes) {
    return Status(Code::kJsonInvalid, "JSON text is longer than " + std::to_string(kJsonMaxInputBytes) + " bytes");
  }
  // RapidJSON's streams read '\0' as the end of input; a raw NUL is never valid JSON anyway.
  if (std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return Status(Code::kJsonInvalid, "invalid JSON at offset " + std::to_string(nul) + ": NUL byte.");
  }
  rapidjson::Document doc;
  if (std::optional<JsonParseError> error = json_parse_into(text, numbers, doc)) {
    return Status(Code::kJsonInvalid,
                  "invalid JSON at offset " + std::to_string(error->offset) + ": " + error->message);
  }
  if (json_depth(doc) > kJsonMaxDepth) {
    return Status(Code::kJsonInvalid, "JSON nests deeper than " + std::to_string(kJsonMaxDepth) + " levels");
  }
  return Result<rapidjson::Document>(std::move(doc));
}

std::optional<std::string_view> json_number_text(const rapidjson::Value& value) {
  if (!value.IsString() || plain_string(value)) return std::nullopt;
  return std::string_view(value.GetString() + 1, value.GetStringLength() - 1);
}

std::string_view json_type_name(const rapidjson::Value& value) {
  if (json_number_text(value)) return "number";
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
    if (!plain_string(item)) {
      return Status(Code::kJsonInvalid,
                    "field " + quoted(key) + " must hold only strings, got " + std::string(json_type_name(item)));
    }
    out.emplace_back(item.GetString(), item.GetStringLength());
  }
  return out;
}

std::string json_serialize(const rapidjson::Value& value, JsonLayout layout) {
  rapidjson::StringBuffer buffer;
  if (layout == JsonLayout::kPretty) {
    rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
    writer.SetIndent(' ', 2);
    NumberTextWriter<rapidjson::PrettyWriter<rapidjson::StringBuffer>> numbers(writer);
    value.Accept(numbers);
  } else {
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    NumberTextWriter<rapidjson::Writer<rapidjson::StringBuffer>> numbers(writer);
    value.Accept(numbers);
  }
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
