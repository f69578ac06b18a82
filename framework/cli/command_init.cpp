// `ferry init [TEMPLATE]`: a pipeline file to start from, that `ferry
// validate` accepts as written. JSON has no comments, so each template says
// in its "description" what to change; server addresses and secrets come
// from the environment with ${VAR:-default}, never written into the file.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>

#include "cli/commands.h"
#include "common/error.h"

namespace ferry::cli {
namespace {

constexpr const char* kExampleData =
    R"({"order_id": 1, "customer": "Ada", "amount": 12.5, "placed_at": "2026-01-05T09:30:00Z"})" "\n"
    R"({"order_id": 2, "customer": "Grace", "amount": 7.25, "placed_at": "2026-01-05T10:02:00Z"})" "\n"
    R"({"order_id": 3, "customer": "Edsger", "amount": 30, "placed_at": "2026-01-06T16:45:00Z"})" "\n";

// The part every template shares: a file source reading the example data.
std::string pipeline(const std::string& name, const std::string& description, const std::string& sink) {
  return "{\n"
         "  \"name\": \"" + name + "\",\n"
         "  \"description\": \"" + description + "\",\n"
         "  \"state\": {\"type\": \"sqlite\", \"path\": \"" + name + ".state.db\"},\n"
         "  \"source\": {\n"
         "    \"plugin\": \"file\",\n"
         "    \"config\": {\"paths\": \"data/orders.jsonl\", \"key\": \"order_id\"}\n"
         "  },\n"
         "  \"batch\": {\"max_records\": 1000},\n"
         "  \"sinks\": [\n"
         "    " + sink + "\n"
         "  ]\n"
         "}\n";
}

const std::map<std::string, std::string>& templates() {
  static const std::map<std::string, std::string> t = {
      {"file",
       pipeline("orders",
                "Reads data/orders.jsonl into the SQLite table orders in orders.db, exactly once. Change paths to "
                "your files (JSON Lines or CSV, globs allowed) and key to your record key; ferry run this file.",
                R"({"name": "db", "plugin": "sqlite",
     "config": {"path": "orders.db", "table": "orders", "mode": "upsert", "key": ["order_id"]}})")},
      {"postgres",
       pipeline("orders",
                "Reads data/orders.jsonl into the PostgreSQL table orders, rows and checkpoint in one transaction. "
                "Set PG_DSN to a libpq connection string (its password stays out of this file).",
                R"({"name": "db", "plugin": "postgres",
     "config": {"dsn": "${PG_DSN:-host=127.0.0.1 dbname=ferry user=ferry}", "table": "orders",
                "mode": "upsert", "key": ["order_id"]}})")},
      {"mysql",
       pipeline("orders",
                "Reads data/orders.jsonl into the MySQL/MariaDB table orders, rows and checkpoint in one "
                "transaction. Set MYSQL_HOST, MYSQL_USER, MYSQL_DATABASE and MYSQL_PASSWORD.",
                R"({"name": "db", "plugin": "mysql",
     "config": {"host": "${MYSQL_HOST:-127.0.0.1}", "user": "${MYSQL_USER:-ferry}",
                "password": "${MYSQL_PASSWORD:-}", "database": "${MYSQL_DATABASE:-ferry}",
                "table": "orders", "mode": "upsert", "key": ["order_id"]}})")},
      {"s3",
       pipeline("orders",
                "Writes data/orders.jsonl to S3 as gzip JSON Lines, one object per batch under a deterministic "
                "name. Set S3_BUCKET, and AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment; "
                "S3_ENDPOINT for an S3-compatible store.",
                R"({"name": "lake", "plugin": "s3",
     "config": {"bucket": "${S3_BUCKET:-my-bucket}", "endpoint": "${S3_ENDPOINT:-https://s3.us-east-1.amazonaws.com}",
                "prefix": "orders", "gzip": true}})")},
      {"elasticsearch",
       pipeline("orders",
                "Indexes data/orders.jsonl into Elasticsearch by order_id, so a batch delivered twice overwrites "
                "itself. Set ES_URL, and ES_API_KEY if the cluster needs one.",
                R"({"name": "search", "plugin": "elasticsearch",
     "config": {"url": "${ES_URL:-http://127.0.0.1:9200}", "index": "orders", "api_key": "${ES_API_KEY:-}"}})")},
  };
  return t;
}

void write_new(const std::filesystem::path& path, const std::string& text, bool force) {
  if (!force && std::filesystem::exists(path))
    throw UsageError(path.string() + " exists; pass --force to overwrite it");
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw core::Error("cannot write " + path.string());
}

}  // namespace

int init_command(const InitArgs& a) {
  const auto& all = templates();
  auto it = all.find(a.template_name);
  if (it == all.end()) {
    std::string names;
    for (const auto& [name, text] : all) names += (names.empty() ? "" : ", ") + name;
    throw UsageError("unknown template '" + a.template_name + "' (templates: " + names + ")");
  }
  const std::filesystem::path file = a.output;
  write_new(file, it->second, a.force);
  // The example data beside the pipeline, unless there is some already.
  const std::filesystem::path data = file.parent_path() / "data" / "orders.jsonl";
  if (!std::filesystem::exists(data)) write_new(data, kExampleData, false);
  std::cout << "wrote " << file.string() << " (" << a.template_name << ") and " << data.string() << "\n"
            << "next: ferry validate " << file.string() << " && ferry run " << file.string() << "\n";
  return kExitOk;
}

}  // namespace ferry::cli
