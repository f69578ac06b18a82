// Boost.URL, compiled into the host from its headers (its header-only
// mode): the admin server's request targets are its only user.
#include <boost/url/src.hpp>
