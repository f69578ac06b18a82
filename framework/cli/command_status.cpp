// `ferry status`: what the admin API serves, without a server.
#include <iomanip>
#include <iostream>

#include <boost/json.hpp>

#include "common/json_out.h"
#include "admin/status_report.h"
#include "cli/commands.h"
#include "cli/format.h"
#include "cli/loaded_pipeline.h"

namespace ferry::cli {
namespace {

std::string str(const boost::json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  return core::json_text(v);
}

}  // namespace

int status_command(const GlobalOptions& g, const std::string& pipeline, bool json) {
  LoadedPipeline p = load_pipeline(pipeline, g.plugin_paths, false);
  auto state = open_state_to_read(p.def);
  boost::json::object report = core::status_report(*state, p.def.name);
  if (json) {
    std::cout << core::json_text(report) << std::endl;
    return kExitOk;
  }
  std::cout << "pipeline " << p.def.name << "\n\ncheckpoints\n";
  for (const auto& v : report["checkpoints"].as_array()) {
    const auto& c = v.as_object();
    std::cout << "  " << std::left << std::setw(36) << str(c.at("partition")) << " position "
              << std::setw(20) << truncate(str(c.at("position")), 19) << " records " << std::setw(10)
              << str(c.at("records")) << " schema " << std::setw(18) << str(c.at("schema_version")) << " age "
              << static_cast<int64_t>(c.at("age_seconds").as_double()) << " s\n";
  }
  std::cout << "\nsinks\n";
  for (const auto& v : report["sinks"].as_array()) {
    const auto& a = v.as_object();
    std::cout << "  " << std::setw(24) << str(a.at("sink")) << " records " << std::setw(12) << str(a.at("records"))
              << " batches " << str(a.at("batches")) << "\n";
  }
  std::cout << "\ndead-letter queue\n ";
  for (const auto& [status, count] : report["dlq"].as_object()) std::cout << " " << status << " " << str(count);
  std::cout << "\n\nrecent runs\n";
  for (const auto& v : report["runs"].as_array()) {
    const auto& r = v.as_object();
    std::cout << "  " << std::setw(18) << str(r.at("id")) << std::setw(10) << str(r.at("kind")) << std::setw(11)
              << str(r.at("status")) << " " << format_time(r.at("started_at_ms").as_int64()) << "  read "
              << str(r.at("read")) << ", written " << str(r.at("written")) << ", rejected " << str(r.at("rejected"))
              << (str(r.at("message")).empty() ? "" : "  (" + str(r.at("message")) + ")") << "\n";
  }
  if (!report["schema_versions"].as_array().empty()) {
    std::cout << "\nschema versions\n";
    for (const auto& v : report["schema_versions"].as_array()) {
      const auto& sv = v.as_object();
      std::cout << "  " << std::setw(30) << str(sv.at("partition")) << " " << str(sv.at("version"))
                << " after '" << str(sv.at("began_after")) << "' " << str(sv.at("fields")) << "\n";
    }
  }
  if (!report["workers"].as_array().empty() || !report["leases"].as_array().empty()) {
    std::cout << "\nworkers\n";
    for (const auto& v : report["workers"].as_array()) {
      const auto& w = v.as_object();
      std::cout << "  worker " << std::setw(8) << str(w.at("id")) << " pid " << std::setw(8) << str(w.at("pid"))
                << " on " << std::setw(20) << str(w.at("host")) << " run " << std::setw(18) << str(w.at("run_id"))
                << " heartbeat " << w.at("heartbeat_age_ms").as_int64() / 1000 << " s ago\n";
    }
    std::cout << "\nleases (current round)\n";
    for (const auto& v : report["leases"].as_array()) {
      const auto& l = v.as_object();
      std::string state = l.at("done").as_bool() ? "finished" : "free";
      if (!l.at("owner").is_null())
        state = "worker " + str(l.at("owner")) + ", expires in " +
                std::to_string(l.at("expires_in_ms").as_int64() / 1000) + " s";
      std::cout << "  " << std::setw(36) << str(l.at("partition")) << " " << std::setw(34) << state << " token "
                << std::setw(8) << str(l.at("token")) << " taken over " << str(l.at("takeovers")) << "\n";
    }
  }
  if (!report["backfill"].as_array().empty()) {
    std::cout << "\nbackfill windows\n";
    for (const auto& v : report["backfill"].as_array()) {
      const auto& w = v.as_object();
      std::cout << "  " << std::setw(24) << str(w.at("window")) << std::setw(9) << str(w.at("status")) << " records "
                << std::setw(10) << str(w.at("records")) << " attempts " << str(w.at("attempts")) << "\n";
    }
  }
  return kExitOk;
}

}  // namespace ferry::cli
