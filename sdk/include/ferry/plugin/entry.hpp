// Part of <ferry/plugin.hpp>: the C trampolines behind FERRY_PLUGIN
// (exceptions become status codes; instances and batches are owned here)
// and the two macros that export a plugin's descriptor and entry point.
#ifndef FERRY_PLUGIN_ENTRY_HPP_
#define FERRY_PLUGIN_ENTRY_HPP_

#include <ferry/plugin/kinds.hpp>

#include <exception>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace ferry {
namespace detail {

// Runs `f` and turns every exception into a status plus set_error.
template <typename F>
FerryStatus guard(const FerryHost* host, F&& f) noexcept {
  try {
    return f();
  } catch (const Error& e) {
    if (host) {
      host->set_error(host->host_data, e.what(), std::strlen(e.what()));
      if (e.retry_after_ms() > 0) host->set_retry_after(host->host_data, e.retry_after_ms());
    }
    return e.status() == FERRY_OK ? FERRY_ERROR_INTERNAL : e.status();
  } catch (const std::bad_alloc&) {
    if (host) host->set_error(host->host_data, "out of memory", 13);
    return FERRY_ERROR_INTERNAL;
  } catch (const std::exception& e) {
    if (host) host->set_error(host->host_data, e.what(), std::strlen(e.what()));
    return FERRY_ERROR_INTERNAL;
  } catch (...) {
    if (host) host->set_error(host->host_data, "unknown exception", 17);
    return FERRY_ERROR_INTERNAL;
  }
}

template <typename T>
struct Instance {
  std::unique_ptr<T> object;
  const FerryHost* host;
  std::string held;                   // memory returned by checkpoint()
  std::unique_ptr<Outcomes> outcomes;  // rejection messages, kept until the next call
  std::vector<FerryBytes> partition_views;
  std::vector<std::string> partition_names;
  std::vector<Source::Planned> planned;  // describe's answer, kept until close
  std::vector<FerryBytes> descriptor_views;
};

template <typename T>
FerryStatus open(const FerryOpenArgs* args, FerryInstance* out) {
  return guard(args->host, [&] {
    auto inst = std::make_unique<Instance<T>>();
    inst->host = args->host;
    Context ctx(args);
    inst->object = std::make_unique<T>(ctx);
    *out = inst.release();
    return FERRY_OK;
  });
}
template <typename T>
Instance<T>* self(FerryInstance p) {
  return static_cast<Instance<T>*>(p);
}
template <typename T>
void close(FerryInstance p) {
  std::unique_ptr<Instance<T>> owned(self<T>(p));
  try {
    owned->object.reset();
  } catch (...) {
  }
}

template <typename T>
struct SourceTable {
  static FerryStatus partitions(FerryInstance p, const FerryBytes** names, size_t* count) {
    Instance<T>* s = self<T>(p);
    return guard(s->host, [&] {
      s->partition_names = s->object->partitions();
      s->partition_views.clear();
      for (const std::string& n : s->partition_names) s->partition_views.push_back(bytes(n));
      *names = s->partition_views.data();
      *count = s->partition_views.size();
      return FERRY_OK;
    });
  }
  static FerryStatus start(FerryInstance p, FerryBytes partition, const FerryBytes* position) {
    Instance<T>* s = self<T>(p);
    return guard(s->host, [&] {
      std::string_view pos = position ? view(*position) : std::string_view();
      s->object->start(view(partition), position ? &pos : nullptr);
      return FERRY_OK;
    });
  }
  static FerryStatus next(FerryInstance p, FerryBatch* out) {
    Instance<T>* s = self<T>(p);
    return guard(s->host, [&] { return s->object->next(out) ? FERRY_OK : FERRY_END_OF_STREAM; });
  }
  static FerryStatus estimate(FerryInstance p, FerryBytes partition, uint64_t* records,
                              uint64_t* nbytes) {
    Instance<T>* s = self<T>(p);
    return guard(s->host, [&] {
      Source::Estimate e = s->object->estimate(view(partition));
      *records = e.records;
      *nbytes = e.bytes;
      return FERRY_OK;
    });
  }
  static FerryStatus describe(FerryInstance p, const FerryBytes** names, const FerryBytes** descriptors,
                              size_t* count) {
    Instance<T>* s = self<T>(p);
    return guard(s->host, [&] {
      std::optional<std::vector<Source::Planned>> planned = s->object->describe();
      if (!planned) return FERRY_NOT_IMPLEMENTED;
      s->planned = std::move(*planned);
      s->partition_views.clear();
      s->descriptor_views.clear();
      for (const Source::Planned& d : s->planned) {
        s->partition_views.push_back(bytes(d.name));
        s->descriptor_views.push_back(bytes(d.descriptor));
      }
      *names = s->partition_views.data();
      *descriptors = s->descriptor_views.data();
      *count = s->planned.size();
      return FERRY_OK;
    });
  }
  static FerryStatus start_described(FerryInstance p, FerryBytes partition, FerryBytes descriptor,
                                     const FerryBytes* position) {
    Instance<T>* s = self<T>(p);
    return guard(s->host, [&] {
      std::string_view pos = position ? view(*position) : std::string_view();
      s->object->start_described(view(partition), view(descriptor), position ? &pos : nullptr);
      return FERRY_OK;
    });
  }
  static FerryStatus acknowledged(FerryInstance p, FerryBytes partition, FerryBytes position) {
    Instance<T>* s = self<T>(p);
    return guard(s->host, [&] {
      s->object->acknowledged(view(partition), view(position));
      return FERRY_OK;
    });
  }
  // A source that keeps Source's acknowledged (which does nothing) leaves
  // the entry NULL, so the host does not sync its state before telling it
  // positions it would not use. The class that declares the one taking
  // (partition, position) tells: Source, or one that overrides it.
  template <typename C>
  static C* declared_in(void (C::*)(std::string_view, std::string_view));
  static constexpr bool kTakesAcknowledgements =
      !std::is_same_v<decltype(declared_in(&T::acknowledged)), Source*>;
  static constexpr FerrySourceApi table = {sizeof(FerrySourceApi),
                                           0,
                                           &open<T>,
                                           &partitions,
                                           &start,
                                           &next,
                                           &close<T>,
                                           &estimate,
                                           &describe,
                                           &start_described,
                                           kTakesAcknowledgements ? &acknowledged : nullptr};
};

template <typename T>
struct TransformTable {
  static FerryStatus apply(FerryInstance p, const FerryBatch* in, FerryBatch* out,
                           FerryRecordOutcome* outcomes) {
    Instance<T>* s = self<T>(p);
    return guard(s->host, [&] {
      s->outcomes = std::make_unique<Outcomes>(outcomes, in->n_rows);
      s->object->apply(BatchView(in), out, *s->outcomes);
      return FERRY_OK;
    });
  }
  static constexpr FerryTransformApi table = {sizeof(FerryTransformApi), 0, &open<T>, &apply,
                                              &close<T>};
};

template <typename T>
struct SinkTable {
  static FerryStatus write(FerryInstance p, const FerryBatch* batch, FerryRecordOutcome* outcomes) {
    Instance<T>* s = self<T>(p);
    return guard(s->host, [&] {
      s->outcomes = std::make_unique<Outcomes>(outcomes, batch->n_rows);
      s->object->write(BatchView(batch), *s->outcomes);
      return FERRY_OK;
    });
  }
  static FerryStatus commit(FerryInstance p, const FerryCheckpoint* cp) {
    Instance<T>* s = self<T>(p);
    return guard(s->host, [&] {
      if (cp && may_defer(*cp)) return s->object->begin_commit(cp) ? FERRY_PENDING : FERRY_OK;
      s->object->commit(cp);
      return FERRY_OK;
    });
  }
  static FerryStatus await_commit(FerryInstance p) {
    Instance<T>* s = self<T>(p);
    return guard(s->host, [&] {
      s->object->await_commit();
      return FERRY_OK;
    });
  }
  static FerryStatus abort(FerryInstance p) {
    Instance<T>* s = self<T>(p);
    return guard(s->host, [&] {
      s->object->abort();
      return FERRY_OK;
    });
  }
  static FerryStatus checkpoint(FerryInstance p, FerryBytes partition, FerryBytes* position,
                                int32_t* found) {
    Instance<T>* s = self<T>(p);
    return guard(s->host, [&] {
      std::optional<std::string> held = s->object->checkpoint(view(partition));
      *found = held ? 1 : 0;
      s->held = held ? *held : std::string();
      *position = bytes(s->held);
      return FERRY_OK;
    });
  }
  static FerryStatus fence(FerryInstance p, FerryBytes partition, uint64_t token) {
    Instance<T>* s = self<T>(p);
    return guard(s->host, [&] {
      s->object->fence(view(partition), token);
      return FERRY_OK;
    });
  }
  static constexpr FerrySinkApi table = {sizeof(FerrySinkApi), 0,      &open<T>,    &write,    &commit,
                                         &abort,               &checkpoint, &close<T>, &fence,
                                         &await_commit};
};

template <typename T>
struct CheckpointHookTable {
  static FerryStatus on_commit(FerryInstance p, const FerryCheckpointEvent* e) {
    Instance<T>* s = self<T>(p);
    return guard(s->host, [&] { return s->object->on_commit(*e); });
  }
  static constexpr FerryCheckpointHookApi table = {sizeof(FerryCheckpointHookApi), 0, &open<T>,
                                                   &on_commit, &close<T>};
};

template <typename T>
struct BacklogHookTable {
  static FerryStatus on_failure(FerryInstance p, const FerryBacklogEvent* e) {
    Instance<T>* s = self<T>(p);
    return guard(s->host, [&] { return s->object->on_failure(*e); });
  }
  static constexpr FerryBacklogHookApi table = {sizeof(FerryBacklogHookApi), 0, &open<T>,
                                                &on_failure, &close<T>};
};

template <typename T>
struct OrchestratorTable {
  static FerryStatus plan(FerryInstance p, const FerryMachineFacts* machine, const FerryPartitionInfo* parts,
                          size_t count, FerryPlan* out) {
    Instance<T>* s = self<T>(p);
    return guard(s->host, [&] {
      thread_local Orchestrator::Plan keep;  // valid until the next call on this thread
      keep = s->object->plan(*machine, parts, count);
      if (!keep.groups.empty() && keep.groups.size() != count)
        throw Error(FERRY_ERROR_INTERNAL, "orchestrator returned groups for a different number of partitions");
      FerryPlan plan{};
      plan.workers = keep.workers;
      plan.groups = keep.groups.empty() ? nullptr : keep.groups.data();
      fill_host_struct(out, plan);
      return FERRY_OK;
    });
  }
  static constexpr FerryOrchestratorApi table = {sizeof(FerryOrchestratorApi), 0, &open<T>, &plan, &close<T>};
};

// A kind class may declare `static void check_config(const Context&)`,
// which throws ferry::Error(FERRY_ERROR_CONFIG) for a bad configuration.
template <typename T, typename = void>
struct HasCheckConfig : std::false_type {};
template <typename T>
struct HasCheckConfig<T, std::void_t<decltype(T::check_config(std::declval<const Context&>()))>>
    : std::true_type {};

template <typename T>
constexpr uint32_t kinds_of() {
  return (std::is_base_of_v<Source, T> ? FERRY_KIND_SOURCE : 0u) |
         (std::is_base_of_v<Transform, T> ? FERRY_KIND_TRANSFORM : 0u) |
         (std::is_base_of_v<Sink, T> ? FERRY_KIND_SINK : 0u) |
         (std::is_base_of_v<CheckpointHook, T> ? FERRY_KIND_CHECKPOINT_HOOK : 0u) |
         (std::is_base_of_v<BacklogHook, T> ? FERRY_KIND_BACKLOG_HOOK : 0u) |
         (std::is_base_of_v<Orchestrator, T> ? FERRY_KIND_ORCHESTRATOR : 0u);
}

template <typename T>
FerryStatus check_one(uint32_t kind, const FerryOpenArgs* args) {
  if constexpr (HasCheckConfig<T>::value) {
    if (kinds_of<T>() & kind)
      return guard(args->host, [&] {
        T::check_config(Context(args));
        return FERRY_OK;
      });
  }
  return FERRY_OK;
}

template <typename... Ts>
FerryStatus check_config(uint32_t kind, const FerryOpenArgs* args) noexcept {
  FerryStatus st = FERRY_OK;
  ((st = st == FERRY_OK ? check_one<Ts>(kind, args) : st), ...);
  return st;
}

template <typename T>
void fill(FerryPluginApi* api, uint32_t version) {
  if constexpr (std::is_base_of_v<Source, T>) api->source = &SourceTable<T>::table;
  if constexpr (std::is_base_of_v<Transform, T>) api->transform = &TransformTable<T>::table;
  if constexpr (std::is_base_of_v<Sink, T>) api->sink = &SinkTable<T>::table;
  if constexpr (std::is_base_of_v<CheckpointHook, T>)
    api->checkpoint_hook = &CheckpointHookTable<T>::table;
  if constexpr (std::is_base_of_v<BacklogHook, T>) api->backlog_hook = &BacklogHookTable<T>::table;
  if constexpr (std::is_base_of_v<Orchestrator, T>)
    if (version >= FERRY_ABI_VERSION_1_2) api->orchestrator = &OrchestratorTable<T>::table;
}

template <typename... Ts>
FerryStatus init(uint32_t abi_version, FerryPluginApi* api) noexcept {
  const uint32_t version = ferry_plugin_api_accept(abi_version, api);
  if (version == 0) return FERRY_NOT_IMPLEMENTED;
  (fill<Ts>(api, version), ...);
  if constexpr ((HasCheckConfig<Ts>::value || ...))
    if (FERRY_PLUGIN_API_HAS(api, check_config)) api->check_config = &check_config<Ts...>;
  return FERRY_OK;
}

}  // namespace detail
}  // namespace ferry

// Defines the exported descriptor from static option and kind arrays.
#define FERRY_PLUGIN_DESCRIPTOR(name, version, description, kinds)                    \
  extern "C" FERRY_EXPORT const FerryPluginDescriptor ferry_plugin_descriptor = {      \
      sizeof(FerryPluginDescriptor), FERRY_ABI_VERSION_CURRENT, name, version,         \
      description, kinds, FERRY_COUNT_OF(kinds)};

// Defines the entry point for the given kind classes.
#define FERRY_PLUGIN(...)                                                               \
  extern "C" FERRY_EXPORT FerryStatus ferry_plugin_init(uint32_t abi_version,          \
                                                         FerryPluginApi* api) {        \
    return ::ferry::detail::init<__VA_ARGS__>(abi_version, api);                       \
  }

#endif  // FERRY_PLUGIN_ENTRY_HPP_
