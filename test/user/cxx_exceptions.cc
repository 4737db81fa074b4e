// C++ on the guest: exceptions thrown through several frames and caught by
// type (the unwinder reads .eh_frame and restores registers), destructors
// run during unwinding in reverse order, rethrow, std::string and
// std::vector, std::map, a function-try in a constructor, and
// std::exception_ptr carried to another place. libstdc++ and libgcc_s come
// from the sysroot.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace
{

// Not check.h (C): the same contract, FAIL with the check, exit 1.
#define CHECK(cond, what)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			std::fprintf(stderr,                                                       \
				     "FAIL cxx_exceptions: %s:%d: check `%s` failed: %s\n",        \
				     __FILE__, __LINE__, #cond, what);                             \
			std::exit(1);                                                              \
		}                                                                                  \
	} while (0)

struct Trail {
	std::vector<std::string> events;
};

// Records its construction and destruction in the trail.
class Guard
{
      public:
	Guard(Trail &t, std::string name) : trail_(t), name_(std::move(name))
	{
		trail_.events.push_back("+" + name_);
	}
	~Guard() { trail_.events.push_back("-" + name_); }

      private:
	Trail &trail_;
	std::string name_;
};

struct ParseError : std::runtime_error {
	int position;
	ParseError(const std::string &what, int pos) : std::runtime_error(what), position(pos) {}
};

int parse_digit(Trail &t, const std::string &s, int pos)
{
	Guard g(t, "digit" + std::to_string(pos));
	if (pos >= static_cast<int>(s.size()) || s[pos] < '0' || s[pos] > '9')
		throw ParseError("not a digit: '" + s.substr(pos, 1) + "'", pos);
	return s[pos] - '0';
}

int parse_number(Trail &t, const std::string &s)
{
	Guard g(t, "number");
	int v = 0;
	for (int i = 0; i < static_cast<int>(s.size()); i++)
		v = v * 10 + parse_digit(t, s, i);
	return v;
}

__attribute__((noinline)) long deep(Trail &t, int depth, double carry)
{
	Guard g(t, "deep" + std::to_string(depth));
	if (depth == 0)
		throw std::out_of_range("bottom reached");
	// FP and integer state live across the call: restored by the unwinder.
	double mine = carry * 1.5 + depth;
	long r = deep(t, depth - 1, mine);
	return r + static_cast<long>(mine);
}

struct Member {
	explicit Member(int v)
	{
		if (v < 0)
			throw std::invalid_argument("negative");
	}
};

struct Holder {
	std::string log;
	Member m;
	explicit Holder(int v)
	try : m(v) {
	} catch (const std::invalid_argument &) {
		// A function-try-block in a constructor rethrows by itself.
	}
};

} // namespace

int main()
{
	// 1. Thrown three frames down, caught by base type; destructors in order.
	Trail t;
	try {
		parse_number(t, "12x4");
		CHECK(false, "no exception");
	} catch (const std::runtime_error &e) {
		auto *pe = dynamic_cast<const ParseError *>(&e);
		CHECK(pe != nullptr, "dynamic_cast to ParseError");
		CHECK(pe->position == 2, "position");
		CHECK(std::string(e.what()) == "not a digit: 'x'", e.what());
	}
	const std::vector<std::string> want = {"+number", "+digit0", "-digit0", "+digit1",
					       "-digit1", "+digit2", "-digit2", "-number"};
	CHECK(t.events == want, "guard trail for parse_number");
	Trail ok;
	CHECK(parse_number(ok, "9876") == 9876, "parse 9876");

	// 2. Deep recursion, std::exception caught, every frame's guard undone.
	Trail d;
	bool caught = false;
	try {
		deep(d, 20, 1.0);
	} catch (const std::exception &e) {
		caught = std::string(e.what()) == "bottom reached";
	}
	CHECK(caught, "deep exception");
	CHECK(d.events.size() == 42, "21 guards made and undone");
	CHECK(d.events.front() == "+deep20" && d.events[20] == "+deep0" &&
		  d.events[21] == "-deep0" && d.events.back() == "-deep20",
	      "deep unwinding order");

	// 3. Rethrow and catch (...), and a nested try in a catch block.
	int stage = 0;
	try {
		try {
			throw 42;
		} catch (int v) {
			stage = v;
			try {
				throw std::string("inner");
			} catch (const std::string &s) {
				CHECK(s == "inner", "nested throw");
				stage++;
			}
			throw;
		}
	} catch (...) {
		stage++;
	}
	CHECK(stage == 44, "rethrow stages");

	// 4. exception_ptr carried out of the catch block.
	std::exception_ptr saved;
	try {
		std::vector<int> v(3);
		(void)v.at(10);
	} catch (...) {
		saved = std::current_exception();
	}
	CHECK(saved != nullptr, "current_exception");
	try {
		std::rethrow_exception(saved);
	} catch (const std::out_of_range &) {
		stage = 0;
	}
	CHECK(stage == 0, "rethrow_exception of out_of_range");

	// 5. Constructor function-try-block; unique_ptr freed on the way.
	bool ctor_threw = false;
	try {
		auto p = std::make_unique<std::string>("owned");
		Holder h(-1);
	} catch (const std::invalid_argument &e) {
		ctor_threw = std::string(e.what()) == "negative";
	}
	CHECK(ctor_threw, "Holder(-1) threw");

	// 6. The library: strings, vectors and maps of them.
	std::map<std::string, std::vector<int>> m;
	for (int i = 0; i < 1000; i++)
		m["key" + std::to_string(i % 37)].push_back(i);
	CHECK(m.size() == 37, "map size");
	long sum = 0;
	for (const auto &kv : m)
		for (int v : kv.second)
			sum += v;
	CHECK(sum == 999L * 1000 / 2, "map sum");
	std::string s;
	for (int i = 0; i < 100; i++)
		s += std::to_string(i);
	CHECK(s.size() == 190 && s.substr(0, 12) == "012345678910", "string building");

	// 7. A throw from a destructor-free hot path, many times (the unwinder's
	// caches after the first).
	int count = 0;
	for (int i = 0; i < 2000; i++) {
		try {
			if (i % 2)
				throw ParseError("odd", i);
			throw std::logic_error("even");
		} catch (const ParseError &e) {
			count += e.position % 2;
		} catch (const std::logic_error &) {
			count++;
		}
	}
	CHECK(count == 2000, "2000 throws caught");
	std::printf("PASS cxx_exceptions\n");
	return 0;
}
