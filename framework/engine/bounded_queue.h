// A blocking queue with a fixed capacity: a slow consumer makes the producer
// wait, so memory stays bounded by capacity x batch size.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

namespace ferry::core {

template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity ? capacity : 1) {}

  // Returns false if the queue was closed (the item is dropped).
  bool push(T item) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }
  // Empty optional once closed and drained.
  std::optional<T> pop() {
    std::unique_lock<std::mutex> lock(mu_);
    not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }
  // Waits up to `timeout` for something to pop (or the close); false when
  // the time ran out first.
  template <typename Duration>
  bool wait_for_item(Duration timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return not_empty_.wait_for(lock, timeout, [&] { return closed_ || !items_.empty(); });
  }
  // Whether a pop() now would wait: nothing queued and not closed.
  bool idle() {
    std::lock_guard<std::mutex> lock(mu_);
    return items_.empty() && !closed_;
  }
  void close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }
  // Removes and returns whatever is left (so the owner can release it).
  std::deque<T> drain() {
    std::lock_guard<std::mutex> lock(mu_);
    std::deque<T> out;
    out.swap(items_);
    not_full_.notify_all();
    return out;
  }

 private:
  std::mutex mu_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<T> items_;
  size_t capacity_;
  bool closed_ = false;
};

// A producer thread feeding a BoundedQueue, joined on every way out of the
// consumer's scope: the queue is closed (a producer waiting for room gives
// up), what it produced but nobody took is released, then the thread ends.
template <typename T>
class QueueProducer {
 public:
  template <typename Body>
  QueueProducer(BoundedQueue<T>& queue, Body body) : queue_(queue), thread_(std::move(body)) {}
  QueueProducer(const QueueProducer&) = delete;
  QueueProducer& operator=(const QueueProducer&) = delete;
  ~QueueProducer() {
    queue_.close();
    queue_.drain();
    thread_.join();
  }

 private:
  BoundedQueue<T>& queue_;
  std::thread thread_;
};

}  // namespace ferry::core
