// Values of the expression language (gha-spec.md §2.3): Null, Boolean, Number,
// String, Array, Object. Arrays and objects are shared (cheap to copy) and
// immutable once wrapped in a Value; `==` on them is reference identity.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace pipewright::expr {

enum class Kind { null, boolean, number, string, array, object };

class Value;
class Object;
using Array = std::vector<Value>;

class Value {
 public:
  Value() = default;  // null
  Value(std::nullptr_t) {}
  Value(bool b) : m_data(b) {}
  Value(double n) : m_data(n) {}
  // Any other arithmetic type (int, size_t, int64_t, float...) becomes a Number.
  template <class T>
  requires(std::is_arithmetic_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char>)
      Value(T n)
      : m_data(static_cast<double>(n)) {}
  Value(std::string s) : m_data(std::move(s)) {}
  Value(std::string_view s) : m_data(std::string(s)) {}
  Value(const char* s) : m_data(std::string(s)) {}
  Value(Array a);
  Value(Object o);
  Value(std::shared_ptr<const Array> a) : m_data(std::move(a)) {}
  Value(std::shared_ptr<const Object> o) : m_data(std::move(o)) {}

  Kind kind() const { return static_cast<Kind>(m_data.index()); }
  bool is_null() const { return kind() == Kind::null; }
  bool is_primitive() const { return kind() != Kind::array && kind() != Kind::object; }

  // Accessors: only valid for the matching kind (std::get semantics otherwise).
  bool as_bool() const { return std::get<bool>(m_data); }
  double as_number() const { return std::get<double>(m_data); }
  const std::string& as_string() const { return std::get<std::string>(m_data); }
  const Array& as_array() const { return *std::get<std::shared_ptr<const Array>>(m_data); }
  const Object& as_object() const { return *std::get<std::shared_ptr<const Object>>(m_data); }
  const std::shared_ptr<const Array>& array_ptr() const {
    return std::get<std::shared_ptr<const Array>>(m_data);
  }
  const std::shared_ptr<const Object>& object_ptr() const {
    return std::get<std::shared_ptr<const Object>>(m_data);
  }

  // GitHub truthiness: null, false, 0, -0, NaN and '' are falsy.
  bool truthy() const;
  // GitHub number coercion (null→0, bool→0/1, string parsed, containers→NaN).
  double to_number() const;
  // GitHub string coercion (null→'', numbers in .NET G15, containers → Array/Object).
  std::string to_display_string() const;
  // The member `key` (case-insensitive) of an object; nullptr when absent or not an object.
  const Value* member(std::string_view key) const;

 private:
  std::variant<std::monostate, bool, double, std::string, std::shared_ptr<const Array>,
               std::shared_ptr<const Object>>
      m_data;
};

// An object: insertion-ordered entries with case-insensitive (OrdinalIgnoreCase) keys.
class Object {
 public:
  using Entry = std::pair<std::string, Value>;

  // Sets `key`; an existing key (ignoring case) keeps its place and spelling.
  void set(std::string key, Value value);
  // The value of `key` (ignoring case), or nullptr.
  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);

  size_t size() const { return m_entries.size(); }
  bool empty() const { return m_entries.empty(); }
  std::vector<Entry>::const_iterator begin() const { return m_entries.begin(); }
  std::vector<Entry>::const_iterator end() const { return m_entries.end(); }

 private:
  size_t index_of(std::string_view key) const;  // size() when absent

  std::vector<Entry> m_entries;
  // For larger objects: case-insensitive key hash → entry index.
  std::unordered_multimap<size_t, size_t> m_index;
};

inline Value::Value(Array a) : m_data(std::make_shared<const Array>(std::move(a))) {}
inline Value::Value(Object o) : m_data(std::make_shared<const Object>(std::move(o))) {}

// GitHub `==` (§2.4): loose, case-insensitive strings, reference identity for containers.
bool loose_equals(const Value& a, const Value& b);
// GitHub `<` / `>` (false whenever either side is NaN or not comparable).
bool loose_less(const Value& a, const Value& b);
bool loose_greater(const Value& a, const Value& b);

// .NET "G15" formatting of a number (−0 → "0", NaN, Infinity, -Infinity, 1E+21).
std::string format_number(double n);
// Shortest round-trip formatting with the same layout (toJSON of non-integral numbers).
std::string format_number_roundtrip(double n);
// GitHub string → number coercion (trim, decimal, 0x, 0o, Infinity; else NaN).
double parse_number(std::string_view text);
// "Null", "Boolean", "Number", "String", "Array" or "Object".
std::string_view kind_name(Kind kind);

}  // namespace pipewright::expr
