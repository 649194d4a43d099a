//! Integration tests: the real `vcscope` binary against real tools and data.
