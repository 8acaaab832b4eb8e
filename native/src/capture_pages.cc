// capture_pages.cc: the pages' markup. Plain, readable, dark-mode aware, no external resources.
#include "capture_pages.h"

namespace keryx {
namespace {

std::string frame(std::string_view title, std::string_view mark, std::string_view body_html, bool strip_query) {
  std::string html;
  html.reserve(1600);
  html += R"(<!doctype html><html lang="en"><head><meta charset="utf-8">)";
  html += R"(<meta name="viewport" content="width=device-width, initial-scale=1">)";
  html += R"(<meta name="referrer" content="no-referrer"><title>)";
  html += html_escape(title);
  html +=
      "</title><style>"
      ":root{color-scheme:light dark;font-family:system-ui,-apple-system,'Segoe UI',sans-serif}"
      "body{margin:0;min-height:100vh;display:grid;place-items:center;background:#f4f5f7;color:#1c1e21}"
      "main{max-width:30rem;padding:2.5rem;border-radius:14px;background:#fff;box-shadow:0 2px 18px #0002;text-align:center}"
      ".mark{font-size:2.6rem;line-height:1}h1{font-size:1.35rem;margin:.8rem 0 .6rem}p{margin:.5rem 0;line-height:1.5}"
      "code{background:#0001;padding:.1rem .35rem;border-radius:4px}small{color:#666}"
      "@media (prefers-color-scheme:dark){body{background:#18191a;color:#e4e6eb}main{background:#242526}small{color:#aaa}}"
      "</style></head><body><main><div class=\"mark\" aria-hidden=\"true\">";
  html += mark;
  html += "</div><h1>";
  html += html_escape(title);
  html += "</h1>";
  html += body_html;
  html += "<p><small>keryx</small></p></main>";
  if (strip_query) {
    // Keep the authorization code out of the address bar and history.
    html += "<script>try{history.replaceState(null,'',location.pathname)}catch(e){}</script>";
  }
  html += "</body></html>";
  return html;
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string page_success(std::string_view app_name) {
  std::string body = R"(<p id="keryx-result" data-result="success">)";
  body += html_escape(app_name.empty() ? std::string_view("keryx") : app_name);
  body += " received the authorization.</p><p>You can close this tab and return to the terminal.</p>";
  return frame("Authorization received", "&#10003;", body, true);
}

std::string page_failure(std::string_view app_name, std::string_view error_code, std::string_view description) {
  std::string body = R"(<p id="keryx-result" data-result="failure">The platform did not grant )";
  body += html_escape(app_name.empty() ? std::string_view("keryx") : app_name);
  body += " access: <code>";
  body += html_escape(error_code);
  body += "</code></p>";
  if (!description.empty()) body += "<p>" + html_escape(description) + "</p>";
  body += "<p>Return to the terminal; run the same <code>keryx auth</code> command again to retry.</p>";
  return frame("Authorization not granted", "&#10007;", body, true);
}

std::string page_rejected(std::string_view reason_code) {
  std::string body =
      R"(<p id="keryx-result" data-result="rejected">This address does not belong to the sign-in keryx is waiting for (<code>)";
  body += html_escape(reason_code);
  body += "</code>).</p><p>Open the link keryx printed in your terminal; that sign-in is still waiting.</p>";
  return frame("Not the expected sign-in", "&#9888;", body, true);
}

std::string page_not_found() {
  return frame("Not found", "&#8709;", "<p>keryx is waiting for a sign-in on another path.</p>", false);
}

}  // namespace keryx
