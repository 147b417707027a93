# targets/targets.mk — cross builds and packaging; the root Makefile includes it.
#
#   make pi | jetson | riscv64 | darwin | linux-amd64   one static deepgo binary in dist/
#   make lambda                                        dist/deepgo-lambda-{arm64,amd64}.zip
#   make lambda-pkg                                    dist/lambda/pkg: bootstrap + model, for SAM
#   make gcf                                           dist/gcf, the source for gcloud functions deploy
#   make gcf-local                                     the Cloud Function on $(HOST):$(PORT)
#   make release                                       every binary and zip, and dist/SHA256SUMS
#   make cross-test                                    targets/cross-test.sh (qemu tests + all builds)
#
# Every build is pure Go (CGO_ENABLED=0), so the Linux binaries are static and need nothing on
# the device. See docs/deploy-*.md.

# Worked out once (:=), so every binary of one make run carries the same version.
ifeq ($(origin VERSION),undefined)
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
endif
DIST    ?= dist
GO_LDFLAGS ?= -s -w -X main.version=$(VERSION)
# $(call xbuild,GOOS,GOARCH,OUT[,extra go build flags]) builds ./tools/deepgo for one platform.
xbuild = CGO_ENABLED=0 GOOS=$(1) GOARCH=$(2) $(GO) build -trimpath $(4) -ldflags "$(GO_LDFLAGS)" -o $(3) ./tools/deepgo

# The Jetson build is the plain linux/arm64 one for now. When the CUDA backend exists, its
# build tag joins here: JETSON_TAGS ?= -tags cuda (and that build will need cgo).
JETSON_TAGS ?=

RELEASE_BINS := $(DIST)/deepgo-linux-amd64 $(DIST)/deepgo-linux-arm64 $(DIST)/deepgo-linux-arm64-jetson \
	$(DIST)/deepgo-linux-riscv64 $(DIST)/deepgo-darwin-arm64
LAMBDA_ZIPS  := $(DIST)/deepgo-lambda-arm64.zip $(DIST)/deepgo-lambda-amd64.zip
# Keep the unzipped bootstraps (sam local, the Runtime Interface Emulator).
.SECONDARY: $(DIST)/lambda/bootstrap-arm64 $(DIST)/lambda/bootstrap-amd64

.PHONY: pi jetson riscv64 darwin linux-amd64 lambda lambda-pkg gcf gcf-local release cross-test targets-force

# go build is incremental: always run it, and let its cache decide what to redo.
targets-force:

linux-amd64: $(DIST)/deepgo-linux-amd64
pi: $(DIST)/deepgo-linux-arm64
jetson: $(DIST)/deepgo-linux-arm64-jetson
riscv64: $(DIST)/deepgo-linux-riscv64
darwin: $(DIST)/deepgo-darwin-arm64

$(DIST)/deepgo-linux-amd64: targets-force
	$(call xbuild,linux,amd64,$@)
# Raspberry Pi 3/4/5 and any 64-bit ARM Linux: GOARM64 defaults to v8.0 (Cortex-A53/A72 and up).
$(DIST)/deepgo-linux-arm64: targets-force
	$(call xbuild,linux,arm64,$@)
$(DIST)/deepgo-linux-arm64-jetson: targets-force
	$(call xbuild,linux,arm64,$@,$(JETSON_TAGS))
# GORISCV64 defaults to rva20u64, which every RV64GC board runs.
$(DIST)/deepgo-linux-riscv64: targets-force
	$(call xbuild,linux,riscv64,$@)
# Apple silicon. (A darwin binary always links libSystem dynamically; cgo stays off.)
$(DIST)/deepgo-darwin-arm64: targets-force
	$(call xbuild,darwin,arm64,$@)

# AWS Lambda, runtime provided.al2023: a binary named bootstrap, zipped with mode 0755 by
# targets/lambda/zipbootstrap (a fixed time stamp, so the same binary gives the same zip).
lambda: $(LAMBDA_ZIPS)

$(DIST)/lambda/bootstrap-%: targets-force
	@mkdir -p $(DIST)/lambda
	CGO_ENABLED=0 GOOS=linux GOARCH=$* $(GO) build -trimpath -tags lambda.norpc -ldflags "$(GO_LDFLAGS)" -o $@ ./targets/lambda

$(DIST)/deepgo-lambda-%.zip: $(DIST)/lambda/bootstrap-%
	$(GO) run ./targets/lambda/zipbootstrap $< $@

# dist/lambda/pkg: bootstrap + model.gguf (mode 0644: Lambda's user must read it), the CodeUri
# of targets/lambda/template.yaml. LAMBDA_ARCH must match the template's Architectures.
LAMBDA_ARCH  ?= arm64
LAMBDA_MODEL ?= $(MODEL)
lambda-pkg: $(DIST)/lambda/bootstrap-$(LAMBDA_ARCH) $(LAMBDA_MODEL)
	rm -rf $(DIST)/lambda/pkg
	mkdir -p $(DIST)/lambda/pkg
	install -m 0755 $< $(DIST)/lambda/pkg/bootstrap
	install -m 0644 $(LAMBDA_MODEL) $(DIST)/lambda/pkg/model.gguf
	@du -sh $(DIST)/lambda/pkg

release: $(RELEASE_BINS) $(LAMBDA_ZIPS)
	cd $(DIST) && sha256sum $(notdir $(RELEASE_BINS) $(LAMBDA_ZIPS)) > SHA256SUMS
	@cat $(DIST)/SHA256SUMS

# Google Cloud Functions (gen2): dist/gcf is a module whose root package is
# targets/gcf/function, with only the packages it imports (no tests, no testdata):
#   gcloud functions deploy deepgo --gen2 --runtime go125 --entry-point DeepGo --source dist/gcf ...
# (the runtime's Go must be at least go.mod's go line; see docs/deploy-gcf.md).
gcf:
	rm -rf $(DIST)/gcf
	mkdir -p $(DIST)/gcf
	cp go.mod go.sum $(DIST)/gcf/
	cp targets/gcf/function/function.go $(DIST)/gcf/function.go
	@set -e; \
	GOOS=linux GOARCH=amd64 $(GO) list -deps \
		-f '{{if .Module}}{{if .Module.Main}}{{.Dir}}{{range .EmbedFiles}} {{.}}{{end}}{{end}}{{end}}' \
		./targets/gcf/function | while read -r dir embeds; do \
		rel=$${dir#$(CURDIR)/}; \
		[ "$$rel" = targets/gcf/function ] && continue; \
		mkdir -p $(DIST)/gcf/$$rel; \
		for f in $$dir/*.go $$dir/*.s $$dir/*.h; do \
			case $$f in *_test.go|*'*'*) continue;; esac; \
			cp $$f $(DIST)/gcf/$$rel/; \
		done; \
		for e in $$embeds; do mkdir -p $(DIST)/gcf/$$rel/$$(dirname $$e); cp $$dir/$$e $(DIST)/gcf/$$rel/$$e; done; \
		echo "  $$rel"; \
	done
	cd $(DIST)/gcf && $(GO) build ./... && $(GO) vet .
	@du -sh $(DIST)/gcf

# The function on this machine, through the Functions Framework, as Cloud Functions runs it:
#   curl -s localhost:8080/health
PORT         ?= 8080
HOST          = 127.0.0.1
DEEPGO_MODEL ?= $(MODEL)

gcf-local: $(DEEPGO_MODEL)
	$(GO) build -trimpath -o bin/deepgo-gcf ./targets/gcf/cmd
	HOST=$(HOST) PORT=$(PORT) DEEPGO_MODEL=$(DEEPGO_MODEL) exec bin/deepgo-gcf

cross-test:
	targets/cross-test.sh
