VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

.PHONY: build run test lint bench docker

build: ## the static binary, as the Docker image builds it
	CGO_ENABLED=0 go build -trimpath -ldflags "$(LDFLAGS)" -o bin/emulator ./cmd/emulator

run:
	go run ./cmd/emulator

test: ## the README's test command
	go test -race -count=1 ./...

lint:
	go vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

bench:
	go test -run '^$$' -bench . -benchmem ./...

docker:
	docker build --build-arg VERSION=$(VERSION) -t vendor-emulator:$(VERSION) -t vendor-emulator:latest .

.PHONY: loadtest
loadtest: ## the performance matrix, one markdown table (scripts/loadtest/run.sh; DURATION=10s)
	scripts/loadtest/run.sh $(or $(DURATION),10s)
