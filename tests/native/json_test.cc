// json_test.cc: json_parse errors (offset + RapidJSON text, never content), the typed getters on
// token-response shapes, exact large ids, numeric strings, optional/null handling, depth limit.
#include "json.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace keryx {
namespace {

rapidjson::Document parse_ok(std::string_view text) {
  Result<rapidjson::Document> doc = json_parse(text);
  EXPECT_TRUE(doc.ok()) << doc.status().to_string();
  return doc.ok() ? std::move(doc).value() : rapidjson::Document();
}

TEST(Json, ParsesATokenResponse) {
  rapidjson::Document doc =
      parse_ok(R"({"access_token":"ya29.a0Af","token_type":"Bearer","expires_in":3599,)"
               R"("refresh_token":"1//0g","scope":"openid email","id_token":null,"user":{"id":17841400000000001}})");
  EXPECT_EQ(json_get_string(doc, "access_token").value(), "ya29.a0Af");
  EXPECT_EQ(json_get_int64(doc, "expires_in").value(), 3599);
  EXPECT_EQ(json_get_optional_string(doc, "refresh_token").value(), std::optional<std::string>("1//0g"));
  EXPECT_EQ(json_get_optional_string(doc, "id_token").value(), std::nullopt);  // null == missing
  EXPECT_EQ(json_get_optional_string(doc, "nope").value(), std::nullopt);
  EXPECT_TRUE(json_has(doc, "scope"));
  EXPECT_FALSE(json_has(doc, "id_token"));
  Result<const rapidjson::Value*> user = json_get_object(doc, "user");
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(json_get_id(*user.value(), "id").value(), "17841400000000001");  // > 2^53, exact
}

TEST(Json, ParseErrorsNameOffsetAndReasonButNotContent) {
  Result<rapidjson::Document> doc = json_parse(R"({"access_token" "SECRET-TOKEN"})");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), Code::kJsonInvalid);
  EXPECT_EQ(doc.status().message(), "invalid JSON at offset 16: Missing a colon after a name of object member.");
  EXPECT_EQ(doc.status().message().find("SECRET"), std::string::npos);

  EXPECT_EQ(json_parse("").status().message(), "invalid JSON at offset 0: The document is empty.");
  EXPECT_EQ(json_parse("{} x").status().code(), Code::kJsonInvalid);      // trailing garbage
  EXPECT_EQ(json_parse("\"\xff\"").status().code(), Code::kJsonInvalid);  // invalid UTF-8
  EXPECT_EQ(json_parse("NaN").status().code(), Code::kJsonInvalid);
  EXPECT_EQ(json_parse(std::string_view("{}\0{}", 5)).status().message(),
            "invalid JSON at offset 2: NUL byte.");  // RapidJSON alone would stop at the NUL
}

TEST(Json, DeepNestingIsRejectedWithoutRecursion) {
  std::string deep(200000, '[');
  deep += std::string(200000, ']');
  Result<rapidjson::Document> doc = json_parse(deep);
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().message(), "JSON nests deeper than 64 levels");
  std::string ok_depth = std::string(63, '[') + std::string(63, ']');
  EXPECT_TRUE(json_parse(ok_depth).ok());
}

TEST(Json, Int64AcceptsIntegersIntegralDoublesAndDigitStrings) {
  rapidjson::Document doc =
      parse_ok(R"({"a":3600,"b":"3600","c":3600.0,"d":"-5","e":"36x","f":"","g":" 1","h":1.5,)"
               R"("i":18446744073709551615,"j":"99999999999999999999","k":true,"l":"+1","m":-9223372036854775808})");
  EXPECT_EQ(json_get_int64(doc, "a").value(), 3600);
  EXPECT_EQ(json_get_int64(doc, "b").value(), 3600);
  EXPECT_EQ(json_get_int64(doc, "c").value(), 3600);
  EXPECT_EQ(json_get_int64(doc, "d").value(), -5);
  EXPECT_EQ(json_get_int64(doc, "m").value(), INT64_MIN);
  for (const char* bad : {"e", "f", "g", "h", "i", "j", "k", "l"}) {
    Result<std::int64_t> r = json_get_int64(doc, bad);
    EXPECT_EQ(r.status().code(), Code::kJsonInvalid) << bad;
  }
  EXPECT_EQ(json_get_int64(doc, "k").status().message(), "field \"k\" must be an integer, got boolean");
  EXPECT_EQ(json_get_int64(doc, "zz").status().message(), "field \"zz\" is missing");
  EXPECT_EQ(json_get_optional_int64(doc, "zz").value(), std::nullopt);
  EXPECT_EQ(json_get_optional_int64(doc, "b").value(), std::optional<std::int64_t>(3600));
}

TEST(Json, IdsKeepStringsAndExactIntegers) {
  rapidjson::Document doc =
      parse_ok(R"({"s":"0042","n":-7,"u":18446744073709551615,"d":1.5,"big":1e30,"o":{},"z":null})");
  EXPECT_EQ(json_get_id(doc, "s").value(), "0042");
  EXPECT_EQ(json_get_id(doc, "n").value(), "-7");
  EXPECT_EQ(json_get_id(doc, "u").value(), "18446744073709551615");
  EXPECT_EQ(json_get_id(doc, "d").status().code(), Code::kJsonInvalid);
  EXPECT_EQ(json_get_id(doc, "big").status().code(), Code::kJsonInvalid);
  EXPECT_EQ(json_get_id(doc, "o").status().message(), "field \"o\" must be a string or an integer, got object");
  EXPECT_EQ(json_get_id(doc, "z").status().message(), "field \"z\" is missing");
  EXPECT_EQ(json_get_optional_id(doc, "z").value(), std::nullopt);
}

TEST(Json, WrongTypesNameTheKeyAndTypesOnly) {
  rapidjson::Document doc = parse_ok(R"({"access_token":12345,"ok":"yes","obj":[1],"arr":{}})");
  Result<std::string> token = json_get_string(doc, "access_token");
  EXPECT_EQ(token.status().message(), "field \"access_token\" must be a string, got number");
  EXPECT_EQ(json_get_optional_bool(doc, "ok").status().message(), "field \"ok\" must be a boolean, got string");
  EXPECT_EQ(json_get_object(doc, "obj").status().message(), "field \"obj\" must be an object, got array");
  EXPECT_EQ(json_get_array(doc, "arr").status().message(), "field \"arr\" must be an array, got object");
  EXPECT_EQ(json_get_optional_object(doc, "missing").value(), nullptr);

  rapidjson::Document array = parse_ok("[1,2]");
  EXPECT_EQ(json_get_string(array, "x").status().message(), "expected a JSON object holding \"x\", got array");
  EXPECT_FALSE(json_has(array, "x"));
}

TEST(Json, StringArraysAndBooleans) {
  rapidjson::Document doc = parse_ok(R"({"scopes":["a","b c","ü"],"mixed":["a",1],"t":true,"n":null})");
  EXPECT_EQ(json_get_string_array(doc, "scopes").value(), (std::vector<std::string>{"a", "b c", "ü"}));
  EXPECT_TRUE(json_get_string_array(doc, "missing").value().empty());
  EXPECT_TRUE(json_get_string_array(doc, "n").value().empty());
  EXPECT_EQ(json_get_string_array(doc, "mixed").status().message(),
            "field \"mixed\" must hold only strings, got number");
  EXPECT_EQ(json_get_optional_bool(doc, "t").value(), std::optional<bool>(true));
  Result<const rapidjson::Value*> arr = json_get_array(doc, "mixed");
  ASSERT_TRUE(arr.ok());
  EXPECT_EQ(arr.value()->Size(), 2u);
}

TEST(Json, KeysWithEmbeddedNulAndEscapesAreExact) {
  rapidjson::Document doc = parse_ok(R"({"a\u0000b":"x","k":"line\nquote\"","a":"plain"})");
  EXPECT_EQ(json_get_string(doc, std::string_view("a\0b", 3)).value(), "x");
  EXPECT_EQ(json_get_string(doc, "a").value(), "plain");
  EXPECT_EQ(json_get_string(doc, "k").value(), "line\nquote\"");
}

TEST(Json, SerializeIsCompact) {
  rapidjson::Document doc = parse_ok(R"({ "a" : [1, 2.5, "x"], "b": {"c": null} })");
  EXPECT_EQ(json_serialize(doc), R"({"a":[1,2.5,"x"],"b":{"c":null}})");
  EXPECT_EQ(json_type_name(doc), "object");
}

// Fuzz finding 1 (tests/fuzz/regressions/json_fuzz/lone-low-surrogate.json): RapidJSON 1.1.0 kept a
// lone low-surrogate escape as the bytes ED B0 80, which are not UTF-8. Both halves are refused
// now, at the escape, with the message RapidJSON gives a lone high surrogate.
TEST(Json, LoneSurrogateEscapesAreRejectedAtTheEscape) {
  const std::pair<const char*, const char*> cases[] = {
      {R"("\udc00")", "invalid JSON at offset 1: The surrogate pair in string is invalid."},  // the regression input
      {R"({"a":"x\uDFFF"})", "invalid JSON at offset 7: The surrogate pair in string is invalid."},
      {R"({"\udc00":1})", "invalid JSON at offset 2: The surrogate pair in string is invalid."},  // a key
      {R"(["\ud83d\ude00\udc00"])", "invalid JSON at offset 14: The surrogate pair in string is invalid."},
      {R"("\ud800")", "invalid JSON at offset 1: The surrogate pair in string is invalid."},  // lone high
      {R"("\ud800\u0041")", "invalid JSON at offset 1: The surrogate pair in string is invalid."},
      {R"("\ud800x")", "invalid JSON at offset 1: The surrogate pair in string is invalid."},
  };
  for (const auto& [text, want] : cases) {
    Result<rapidjson::Document> doc = json_parse(text);
    ASSERT_FALSE(doc.ok()) << text;
    EXPECT_EQ(doc.status().code(), Code::kJsonInvalid) << text;
    EXPECT_EQ(doc.status().message(), want) << text;
    EXPECT_FALSE(json_parse(text, JsonNumbers::kText).ok()) << text;
  }
  // A real pair, and an escaped backslash before "udc00", are fine.
  EXPECT_EQ(json_get_string(parse_ok(R"({"s":"\ud83d\ude00"})"), "s").value(), "\xF0\x9F\x98\x80");
  EXPECT_EQ(json_get_string(parse_ok(R"({"s":"\\udc00"})"), "s").value(), "\\udc00");
}

// Fuzz finding 2 (tests/fuzz/regressions/json_fuzz/overflow-to-infinity*.json): numbers past
// DBL_MAX whose exponent alone is in range were read as infinity, which json_serialize cannot
// write. They fail like "1e400" always did.
TEST(Json, NumbersPastDblMaxAreRejected) {
  const std::pair<const char*, const char*> cases[] = {
      {"[10e308]", "invalid JSON at offset 1: Number too big to be stored in double."},
      {R"({"user_id":1784140000000000.5e300})", "invalid JSON at offset 11: Number too big to be stored in double."},
      {"-10e308", "invalid JSON at offset 0: Number too big to be stored in double."},
      {"1.8e308", "invalid JSON at offset 0: Number too big to be stored in double."},
      {"1e400", "invalid JSON at offset 0: Number too big to be stored in double."},
  };
  for (const auto& [text, want] : cases) {
    Result<rapidjson::Document> doc = json_parse(text);
    ASSERT_FALSE(doc.ok()) << text;
    EXPECT_EQ(doc.status().code(), Code::kJsonInvalid) << text;
    EXPECT_EQ(doc.status().message(), want) << text;
    Result<rapidjson::Document> as_text = json_parse(text, JsonNumbers::kText);
    ASSERT_FALSE(as_text.ok()) << text;
    EXPECT_EQ(as_text.status().message(), want) << text;
  }
  // The largest double and the smallest ones still parse, and what json_serialize writes parses again.
  for (const char* text : {"1.7976931348623157e308", "-1.7976931348623157e308", "5e-324", "1e-400", "0e-30"}) {
    rapidjson::Document doc = parse_ok(text);
    ASSERT_TRUE(doc.IsDouble()) << text;
    EXPECT_TRUE(json_parse(json_serialize(doc)).ok()) << text << " -> " << json_serialize(doc);
  }
}

TEST(Json, NumbersKeptAsTextAreWrittenBackAsWritten) {
  const std::string text =
      R"({"a":1.50,"b":0e-30,"c":184467440737095516155,"d":-0,"e":[1E+2,17841400000000001],"f":"1.50","g":1e-400})";
  Result<rapidjson::Document> doc = json_parse(text, JsonNumbers::kText);
  ASSERT_TRUE(doc.ok()) << doc.status().to_string();
  EXPECT_EQ(json_serialize(doc.value()), text);
  const rapidjson::Value& a = doc.value()["a"];
  EXPECT_EQ(json_number_text(a), std::optional<std::string_view>("1.50"));
  EXPECT_EQ(json_type_name(a), "number");
  EXPECT_EQ(json_number_text(doc.value()["f"]), std::nullopt);  // a string stays a string
  EXPECT_EQ(json_type_name(doc.value()["f"]), "string");
  EXPECT_EQ(json_serialize(doc.value()["e"], JsonLayout::kPretty), "[\n  1E+2,\n  17841400000000001\n]");

  // The getters see numbers.
  EXPECT_EQ(json_get_string(doc.value(), "a").status().message(), "field \"a\" must be a string, got number");
  EXPECT_EQ(json_get_string(doc.value(), "f").value(), "1.50");
  EXPECT_EQ(json_get_id(doc.value(), "c").value(), "184467440737095516155");
  EXPECT_EQ(json_get_id(doc.value(), "a").status().code(), Code::kJsonInvalid);
  EXPECT_EQ(json_get_int64(doc.value(), "d").value(), 0);
  EXPECT_EQ(json_get_int64(doc.value(), "c").status().code(), Code::kJsonInvalid);
  EXPECT_EQ(json_get_string_array(doc.value(), "e").status().message(),
            "field \"e\" must hold only strings, got number");

  // A string holding U+00FF is not mistaken for a number kept as text.
  Result<rapidjson::Document> ff = json_parse(R"(["\u00ff1"])", JsonNumbers::kText);
  ASSERT_TRUE(ff.ok());
  EXPECT_EQ(json_type_name(ff.value()[0]), "string");
  EXPECT_EQ(json_serialize(ff.value()),
            "[\"\xC3\xBF"
            "1\"]");
}

TEST(Json, ParseIntoReportsOffsetAndReason) {
  rapidjson::Document doc;
  std::optional<JsonParseError> error = json_parse_into(R"({"a":[1,})", JsonNumbers::kText, doc);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->offset, 8u);  // the "}"
  EXPECT_EQ(error->message, "Invalid value.");
  EXPECT_FALSE(json_parse_into(R"({"a":[1]})", JsonNumbers::kText, doc).has_value());
  EXPECT_EQ(json_serialize(doc), R"({"a":[1]})");
}

}  // namespace
}  // namespace keryx
