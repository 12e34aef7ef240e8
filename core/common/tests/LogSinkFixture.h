// The fixture of the log tests: every line goes to `out`, JSON, all levels, and the sink, the
// redactor and the log file are back to their defaults afterwards.
#pragma once

#include <gtest/gtest.h>

#include <sstream>

#include "ledgerbridge/common/Log.h"
#include "ledgerbridge/common/Redactor.h"

class LogSinkFixture : public ::testing::Test {
protected:
    void SetUp() override {
        ledgerbridge::Redactor::global().clearForTesting();
        ledgerbridge::log::setSink(&out);
        ledgerbridge::log::configure(ledgerbridge::log::Level::Debug, ledgerbridge::log::Format::Json);
    }
    void TearDown() override {
        ledgerbridge::log::setFile("");
        ledgerbridge::log::setSink(nullptr);
        ledgerbridge::log::configure(ledgerbridge::log::Level::Info, ledgerbridge::log::Format::Auto);
        ledgerbridge::Redactor::global().clearForTesting();
    }
    std::ostringstream out;
};
