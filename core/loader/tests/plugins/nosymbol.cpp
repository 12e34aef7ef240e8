// Test plugin: a shared library without the ledgerbridge entry symbol.
extern "C" __attribute__((visibility("default"))) int lbtest_not_a_plugin() { return 42; }
