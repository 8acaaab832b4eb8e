// http_client_test.cc: http_send against real loopback servers: cpp-httplib (plain and TLS with a
// certificate made here), a raw forwarding proxy, and sockets that never answer. Asserts the exact
// bytes the server receives, the limits, the error codes, and that messages carry no secret.
#include "http_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

namespace keryx {
namespace {

using namespace std::chrono_literals;

// Fd: an owned socket.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(Fd&& other) noexcept : fd(other.fd) { other.fd = -1; }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

// listen_loopback: a socket listening on 127.0.0.1 at a free port (written to *port).
Fd listen_loopback(int* port, int backlog = 16) {
  Fd s(socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  EXPECT_EQ(bind(s.fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  EXPECT_EQ(listen(s.fd, backlog), 0);
  getsockname(s.fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *port = ntohs(addr.sin_port);
  return s;
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Cert: a self-signed ECDSA P-256 certificate for `san`, valid for an hour, and its key.
struct Cert {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{nullptr, EVP_PKEY_free};
  std::unique_ptr<X509, decltype(&X509_free)> x509{nullptr, X509_free};
};

Cert make_cert(const char* san) {
  Cert c;
  c.key.reset(EVP_EC_gen("P-256"));
  c.x509.reset(X509_new());
  X509* x = c.x509.get();
  X509_set_version(x, 2);
  uint64_t serial = 0;
  RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial);
  ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), serial >> 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -60);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, c.key.get());
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("keryx test"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  const std::pair<int, const char*> exts[] = {
      {NID_subject_alt_name, san}, {NID_basic_constraints, "critical,CA:TRUE"}, {NID_subject_key_identifier, "hash"}};
  for (const auto& [nid, value] : exts) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(x, c.key.get(), EVP_sha256());
  return c;
}

// write_pem: `cert` as PEM in `path` (a CA file for curl).
void write_pem(const Cert& cert, const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  PEM_write_X509(f, cert.x509.get());
  std::fclose(f);
}

// Loopback: an httplib server (plain or TLS) on 127.0.0.1, listening on its own thread.
struct Loopback {
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
  int port = 0;

  explicit Loopback(std::unique_ptr<httplib::Server> s) : server(std::move(s)) { server->set_keep_alive_timeout(1); }
  void start() {
    port = server->bind_to_any_port("127.0.0.1");
    ASSERT_GT(port, 0);
    thread = std::thread([this] { server->listen_after_bind(); });
    while (!server->is_running()) std::this_thread::sleep_for(1ms);
  }
  std::string url(const std::string& scheme, const std::string& path) const {
    return scheme + "://127.0.0.1:" + std::to_string(port) + path;
  }
  ~Loopback() {
    server->stop();
    if (thread.joinable()) thread.join();
  }
};

// Proxy: a minimal forward proxy: CONNECT is tunnelled to the loopback port asked for; an
// absolute-form request gets a canned "from-proxy" answer. Records each request line.
class Proxy {
 public:
  Proxy() : listener_(listen_loopback(&port_)) {
    thread_ = std::thread([this] { run(); });
  }
  ~Proxy() {
    stop_ = true;
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> lines() {
    std::lock_guard<std::mutex> lock(mutex_);
    return lines_;
  }

 private:
  void run() {
    while (!stop_) {
      pollfd p{listener_.fd, POLLIN, 0};
      if (poll(&p, 1, 20) <= 0) continue;
      Fd client(accept(listener_.fd, nullptr, nullptr));
      if (client.fd >= 0) serve(client.fd);
    }
  }
  void serve(int client) {
    std::string head;
    char buf[16384];
    while (head.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = recv(client, buf, sizeof buf, 0);
      if (n <= 0) return;
      head.append(buf, static_cast<size_t>(n));
    }
    std::string line = head.substr(0, head.find("\r\n"));
    {
      std::lock_guard<std::mutex> lock(mutex_);
      lines_.push_back(line);
    }
    if (line.rfind("CONNECT ", 0) != 0) {
      send_all(client, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\nfrom-proxy");
      return;
    }
    std::string target = line.substr(8, line.find(' ', 8) - 8);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(std::stoi(target.substr(target.rfind(':') + 1))));
    Fd up(socket(AF_INET, SOCK_STREAM, 0));
    if (connect(up.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return;
    send_all(client, "HTTP/1.1 200 Connection established\r\n\r\n");
    pollfd fds[2] = {{client, POLLIN, 0}, {up.fd, POLLIN, 0}};
    while (!stop_) {
      if (poll(fds, 2, 20) <= 0) continue;
      for (int i = 0; i < 2; ++i) {
        if (fds[i].revents == 0) continue;
        ssize_t n = recv(fds[i].fd, buf, sizeof buf, 0);
        if (n <= 0 || !send_all(fds[1 - i].fd, std::string_view(buf, static_cast<size_t>(n)))) return;
      }
    }
  }

  int port_ = 0;
  Fd listener_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::string> lines_;
};

constexpr const char* kProxyVars[] = {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",   "all_proxy",
                                      "ALL_PROXY",  "no_proxy",   "NO_PROXY",    "REQUEST_METHOD"};

// HttpClient: every test starts with no proxy variables and gets the caller's back afterwards.
class HttpClient : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : kProxyVars) {
      if (const char* v = std::getenv(name)) saved_[name] = v;
      unsetenv(name);
    }
    dir_ = std::filesystem::temp_directory_path() /
           ("keryx-http-test-" + std::to_string(getpid()) + "-" + std::to_string(std::rand()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    for (const char* name : kProxyVars) unsetenv(name);
    for (const auto& [name, value] : saved_) setenv(name.c_str(), value.c_str(), 1);
    std::filesystem::remove_all(dir_);
  }
  std::string path(const char* name) const { return (dir_ / name).string(); }

  std::map<std::string, std::string> saved_;
  std::filesystem::path dir_;
};

std::unique_ptr<Loopback> plain_server(const std::function<void(httplib::Server&)>& routes) {
  auto lb = std::make_unique<Loopback>(std::make_unique<httplib::Server>());
  routes(*lb->server);
  lb->start();
  return lb;
}

std::unique_ptr<Loopback> tls_server(const Cert& cert, const std::function<void(httplib::Server&)>& routes) {
  auto lb = std::make_unique<Loopback>(std::make_unique<httplib::SSLServer>(cert.x509.get(), cert.key.get()));
  routes(*lb->server);
  lb->start();
  return lb;
}

void hello(httplib::Server& s) {
  s.Get("/hello", [](const httplib::Request&, httplib::Response& res) { res.set_content("hi", "text/plain"); });
}

TEST_F(HttpClient, FormPostSendsExactBodyAndHeaders) {
  httplib::Request seen;
  auto lb = plain_server([&](httplib::Server& s) {
    s.Post("/token", [&](const httplib::Request& req, httplib::Response& res) {
      seen = req;
      res.set_content(R"({"ok":true})", "application/json");
    });
  });
  HttpRequest req;
  req.method = "POST";
  req.url = lb->url("http", "/token");
  req.headers = {{"Authorization", "Basic Y2xpZW50OnNlY3JldA=="}, {"Accept", "application/json"}};
  req.body_kind = HttpBodyKind::kForm;
  req.form = {{"grant_type", "authorization_code"},
              {"code", "a+b&c=d e"},
              {"redirect_uri", "http://127.0.0.1:8123/cb?x=1"},
              {"name", "\xC3\xBC\xC3\xB1 \xE6\x97\xA5\xE6\x9C\xAC"},  // "üñ 日本"
              {"empty", ""}};
  Result<HttpResponse> r = http_send(req);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r.value().status, 200);
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.body,
            "grant_type=authorization_code&code=a%2Bb%26c%3Dd%20e"
            "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8123%2Fcb%3Fx%3D1"
            "&name=%C3%BC%C3%B1%20%E6%97%A5%E6%9C%AC&empty=");
  EXPECT_EQ(seen.get_header_value("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(seen.get_header_value("User-Agent"), "keryx/" KERYX_VERSION);
  EXPECT_EQ(seen.get_header_value("Authorization"), "Basic Y2xpZW50OnNlY3JldA==");
  EXPECT_EQ(seen.get_header_value("Accept"), "application/json");
  EXPECT_EQ(seen.get_header_value("Content-Length"), std::to_string(seen.body.size()));
  EXPECT_FALSE(seen.has_header("Expect"));
  EXPECT_EQ(seen.get_param_value("code"), "a+b&c=d e");  // the server decodes it back exactly
}

TEST_F(HttpClient, JsonBodyAndResponseStatusHeadersBody) {
  httplib::Request seen;
  auto lb = plain_server([&](httplib::Server& s) {
    s.Put("/items", [&](const httplib::Request& req, httplib::Response& res) {
      seen = req;
      res.status = 201;
      res.set_header("X-Multi", "one");
      res.headers.emplace("X-Multi", "two");
      res.set_content("created", "text/plain");
    });
  });
  HttpRequest req;
  req.method = "PUT";
  req.url = lb->url("http", "/items?x=1");
  req.body_kind = HttpBodyKind::kJson;
  req.body = R"({"a":"b"})";
  Result<HttpResponse> r = http_send(req);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(seen.method, "PUT");
  EXPECT_EQ(seen.body, R"({"a":"b"})");
  EXPECT_EQ(seen.get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(seen.get_param_value("x"), "1");
  EXPECT_EQ(r.value().status, 201);
  EXPECT_EQ(r.value().body, "created");
  EXPECT_EQ(r.value().header("content-type"), std::optional<std::string>("text/plain"));
  int multi = 0;
  for (const auto& [name, value] : r.value().headers) {
    for (char c : name) EXPECT_FALSE(c >= 'A' && c <= 'Z') << name;
    if (name == "x-multi") ++multi;
  }
  EXPECT_EQ(multi, 2);
}

TEST_F(HttpClient, OtherMethodsAndStatusesAreNotErrors) {
  std::vector<std::string> seen;
  auto lb = plain_server([&](httplib::Server& s) {
    s.Delete("/x", [&](const httplib::Request& req, httplib::Response& res) {
      seen.push_back(req.method + " " + req.get_header_value("Content-Type") + "|" + req.body);
      res.status = 400;
      res.set_content(R"({"error":"invalid_grant"})", "application/json");
    });
    s.Post("/raw", [&](const httplib::Request& req, httplib::Response& res) {
      seen.push_back(req.method + " " + req.get_header_value("Content-Type") + "|" + req.body);
      res.status = 204;
    });
  });
  HttpRequest del;
  del.method = "DELETE";
  del.url = lb->url("http", "/x");
  Result<HttpResponse> r = http_send(del);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r.value().status, 400);
  EXPECT_EQ(r.value().body, R"({"error":"invalid_grant"})");
  HttpRequest raw;
  raw.method = "POST";
  raw.url = lb->url("http", "/raw");
  raw.body_kind = HttpBodyKind::kRaw;
  raw.body = std::string("bin\0ary", 7);
  ASSERT_EQ(http_send(raw).value().status, 204);
  raw.body_kind = HttpBodyKind::kNone;  // an empty POST: Content-Length 0, no type, no stdin read
  ASSERT_EQ(http_send(raw).value().status, 204);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], "DELETE |");
  EXPECT_EQ(seen[1], "POST application/octet-stream|" + std::string("bin\0ary", 7));
  EXPECT_EQ(seen[2], "POST |");
}

TEST_F(HttpClient, RedirectsAreReturnedUnlessFollowingIsAsked) {
  auto lb = plain_server([](httplib::Server& s) {
    hello(s);
    s.Get("/r", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/hello"); });
    s.Get("/loop", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/loop"); });
  });
  HttpRequest req;
  req.url = lb->url("http", "/r");
  Result<HttpResponse> r = http_send(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().status, 302);
  EXPECT_EQ(r.value().header("location"), std::optional<std::string>("/hello"));
  req.max_redirects = 3;
  r = http_send(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().status, 200);
  EXPECT_EQ(r.value().body, "hi");
  EXPECT_EQ(r.value().header("location"), std::nullopt) << "headers are the final response's";
  req.url = lb->url("http", "/loop?secret=S3CR3T");
  r = http_send(req);
  EXPECT_EQ(r.status().code(), Code::kNetworkError);
  EXPECT_EQ(r.status().message().find("S3CR3T"), std::string::npos) << r.status().message();
}

TEST_F(HttpClient, ResponseCapIsEnforcedWithAndWithoutContentLength) {
  const std::string big(2 * 1024 * 1024, 'x');
  auto lb = plain_server([&](httplib::Server& s) {
    s.Get("/sized", [&](const httplib::Request&, httplib::Response& res) { res.set_content(big, "text/plain"); });
    s.Get("/chunked", [&](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("text/plain", [&](size_t offset, httplib::DataSink& sink) {
        if (offset < big.size()) return sink.write(big.data() + offset, 64 * 1024);
        sink.done();
        return true;
      });
    });
    s.Get("/exact", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(1000, 'y'), "text/plain");
    });
  });
  HttpRequest req;
  for (const char* path : {"/sized", "/chunked"}) {
    req.url = lb->url("http", std::string(path) + "?access_token=S3CR3T");
    Result<HttpResponse> r = http_send(req);
    EXPECT_EQ(r.status().code(), Code::kResponseTooLarge) << path << " " << r.status().to_string();
    EXPECT_EQ(r.status().message(), "response body from " + lb->url("http", path) + " exceeds 1048576 bytes");
  }
  req.url = lb->url("http", "/exact");
  req.max_response_bytes = 1000;
  EXPECT_EQ(http_send(req).value().body.size(), 1000u);
  req.max_response_bytes = 999;
  EXPECT_EQ(http_send(req).status().code(), Code::kResponseTooLarge);
}

TEST_F(HttpClient, TotalTimeoutOnASlowServer) {
  std::atomic<bool> release{false};
  auto lb = plain_server([&](httplib::Server& s) {
    s.Get("/slow", [&](const httplib::Request&, httplib::Response& res) {
      for (int i = 0; i < 500 && !release; ++i) std::this_thread::sleep_for(10ms);
      res.set_content("late", "text/plain");
    });
  });
  HttpRequest req;
  req.url = lb->url("http", "/slow?client_secret=S3CR3T");
  req.total_timeout = 300ms;
  auto start = std::chrono::steady_clock::now();
  Result<HttpResponse> r = http_send(req);
  auto elapsed = std::chrono::steady_clock::now() - start;
  release = true;
  EXPECT_EQ(r.status().code(), Code::kTimeout) << r.status().to_string();
  EXPECT_EQ(r.status().message(), "request to " + lb->url("http", "/slow") + " timed out after 300 ms");
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 3s);
}

TEST_F(HttpClient, ConnectTimeoutWhenTcpOrTlsNeverCompletes) {
  int port = 0;
  Fd full = listen_loopback(&port, 0);  // backlog 0: once one connection waits, SYNs are dropped
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  std::vector<Fd> fillers;
  for (int i = 0; i < 3; ++i) {
    fillers.emplace_back(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    connect(fillers.back().fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  }
  int tls_port = 0;
  Fd silent = listen_loopback(&tls_port);  // the kernel accepts TCP; nobody ever answers TLS
  for (std::string url : {"http://127.0.0.1:" + std::to_string(port) + "/token",
                          "https://127.0.0.1:" + std::to_string(tls_port) + "/token"}) {
    HttpRequest req;
    req.url = url;
    req.connect_timeout = 200ms;
    auto start = std::chrono::steady_clock::now();
    Result<HttpResponse> r = http_send(req);
    EXPECT_EQ(r.status().code(), Code::kTimeout) << url << " " << r.status().to_string();
    EXPECT_EQ(r.status().message(), "connecting to " + url + " timed out");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  }
}

TEST_F(HttpClient, RefusedConnectionIsANetworkErrorWithoutSecrets) {
  int port = 0;
  { Fd closed = listen_loopback(&port); }  // the port is free again: connecting is refused
  HttpRequest req;
  req.method = "POST";
  req.url = "http://alice:pw0rd@127.0.0.1:" + std::to_string(port) + "/token?client_secret=S3CR3T#frag";
  req.headers = {{"Authorization", "Bearer H34D3R"}};
  req.body_kind = HttpBodyKind::kForm;
  req.form = {{"refresh_token", "B0DY"}};
  Result<HttpResponse> r = http_send(req);
  ASSERT_EQ(r.status().code(), Code::kNetworkError) << r.status().to_string();
  const std::string m = r.status().message();
  EXPECT_NE(m.find("http://127.0.0.1:" + std::to_string(port) + "/token"), std::string::npos) << m;
  for (const char* secret : {"S3CR3T", "client_secret", "pw0rd", "alice", "frag", "H34D3R", "B0DY"}) {
    EXPECT_EQ(m.find(secret), std::string::npos) << secret << " in: " << m;
  }
}

TEST_F(HttpClient, TlsVerifiesAgainstTheGivenCaAndNothingElse) {
  Cert good = make_cert("IP:127.0.0.1,DNS:localhost");
  Cert wrong_host = make_cert("DNS:other.invalid");
  write_pem(good, path("good.pem"));
  write_pem(wrong_host, path("wrong.pem"));
  auto lb = tls_server(good, hello);
  auto other = tls_server(wrong_host, hello);

  HttpRequest req;
  req.url = lb->url("https", "/hello?code=S3CR3T");
  req.ca_file = path("good.pem");
  Result<HttpResponse> r = http_send(req);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r.value().body, "hi");

  req.ca_file.clear();  // the system store does not know our certificate
  r = http_send(req);
  EXPECT_EQ(r.status().code(), Code::kTlsError) << r.status().to_string();
  EXPECT_EQ(r.status().message(),
            "TLS with " + lb->url("https", "/hello") + " failed: SSL certificate problem: self-signed certificate");

  req.url = other->url("https", "/hello");  // trusted, but issued for another host name
  req.ca_file = path("wrong.pem");
  r = http_send(req);
  EXPECT_EQ(r.status().code(), Code::kTlsError) << r.status().to_string();
  EXPECT_NE(r.status().message().find("no alternative certificate subject name matches"), std::string::npos);
  req.ca_file = path("missing.pem");
  EXPECT_EQ(http_send(req).status().code(), Code::kTlsError);
}

TEST_F(HttpClient, RedirectFromHttpsToHttpIsRefused) {
  Cert cert = make_cert("IP:127.0.0.1");
  write_pem(cert, path("ca.pem"));
  auto plain = plain_server(hello);
  std::string target = plain->url("http", "/hello");
  auto secure = tls_server(cert, [&](httplib::Server& s) {
    s.Get("/down", [&](const httplib::Request&, httplib::Response& res) { res.set_redirect(target); });
  });
  HttpRequest req;
  req.url = secure->url("https", "/down");
  req.ca_file = path("ca.pem");
  req.max_redirects = 5;
  EXPECT_EQ(http_send(req).status().code(), Code::kNetworkError);
}

TEST_F(HttpClient, ProxiesFromTheEnvironmentAndNoProxy) {
  Proxy proxy;
  auto lb = plain_server(hello);
  HttpRequest req;
  req.url = lb->url("http", "/hello");
  for (const char* var : {"HTTP_PROXY", "http_proxy"}) {
    setenv(var, proxy.url().c_str(), 1);
    Result<HttpResponse> r = http_send(req);
    ASSERT_TRUE(r.ok()) << var << " " << r.status().to_string();
    EXPECT_EQ(r.value().body, "from-proxy") << var;
    unsetenv(var);
  }
  ASSERT_EQ(proxy.lines().size(), 2u);
  EXPECT_EQ(proxy.lines()[0], "GET " + req.url + " HTTP/1.1");

  setenv("HTTP_PROXY", proxy.url().c_str(), 1);
  setenv("REQUEST_METHOD", "GET", 1);  // under CGI, HTTP_PROXY may come from a request header
  EXPECT_EQ(http_send(req).value().body, "hi");
  unsetenv("REQUEST_METHOD");
  setenv("NO_PROXY", "127.0.0.1", 1);
  EXPECT_EQ(http_send(req).value().body, "hi");
  EXPECT_EQ(proxy.lines().size(), 2u);
}

TEST_F(HttpClient, HttpsProxyTunnelsAndNoProxyBypasses) {
  Cert cert = make_cert("IP:127.0.0.1");
  write_pem(cert, path("ca.pem"));
  Proxy proxy;
  auto lb = tls_server(cert, hello);
  HttpRequest req;
  req.url = lb->url("https", "/hello");
  req.ca_file = path("ca.pem");
  setenv("HTTPS_PROXY", proxy.url().c_str(), 1);
  Result<HttpResponse> r = http_send(req);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r.value().body, "hi");
  ASSERT_EQ(proxy.lines().size(), 1u);
  EXPECT_EQ(proxy.lines()[0], "CONNECT 127.0.0.1:" + std::to_string(lb->port) + " HTTP/1.1");
  setenv("NO_PROXY", "localhost,127.0.0.1", 1);
  EXPECT_TRUE(http_send(req).ok());
  EXPECT_EQ(proxy.lines().size(), 1u);
}

TEST_F(HttpClient, InvalidRequestsAreRejectedBeforeSending) {
  auto code = [](HttpRequest req) { return http_send(req).status().code(); };
  HttpRequest base;
  base.url = "http://127.0.0.1:1/x";
  HttpRequest r = base;
  for (const char* url : {"ftp://127.0.0.1/x", "file:///etc/passwd", "127.0.0.1/x", "http://a b/", "", "http://"}) {
    r.url = url;
    EXPECT_EQ(code(r), Code::kInvalidArgument) << url;
  }
  r = base;
  r.method = "GE T";
  EXPECT_EQ(code(r), Code::kInvalidArgument);
  r = base;
  r.headers = {{"X-Evil", "a\r\nInjected: 1"}};
  EXPECT_EQ(http_send(r).status().message(), "header 'X-Evil' has a value with CR, LF or NUL characters");
  r.headers = {{"Bad Name", "v"}};
  EXPECT_EQ(code(r), Code::kInvalidArgument);
  r = base;
  r.total_timeout = 0ms;
  EXPECT_EQ(code(r), Code::kInvalidArgument);
  r = base;
  r.max_response_bytes = 0;
  EXPECT_EQ(code(r), Code::kInvalidArgument);
  r = base;
  r.max_redirects = kHttpMaxRedirectsLimit + 1;
  EXPECT_EQ(code(r), Code::kInvalidArgument);
}

TEST(HttpRedactUrl, KeepsSchemeHostPortPathOnly) {
  EXPECT_EQ(http_redact_url("https://u:p@Example.com/a/b?code=x#f"), "https://example.com:443/a/b");
  EXPECT_EQ(http_redact_url("http://127.0.0.1:8080"), "http://127.0.0.1:8080/");
  EXPECT_EQ(http_redact_url("http://[::1]:9/x?y"), "http://[::1]:9/x");
  EXPECT_EQ(http_redact_url("not a url"), "<invalid url>");
}

}  // namespace
}  // namespace keryx
