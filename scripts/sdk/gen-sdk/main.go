// Command gen-sdk generates s3-log-shipper's Python and Go SDKs from the schema its component
// provider serves, with Pulumi's own code generators (github.com/pulumi/pulumi/pkg/v3/codegen).
//
// It does what `pulumi package add <package directory>` does between asking the provider for its
// schema and linking the SDK into a program (pkg/cmd/pulumi/packages/packages.go, InstallPackage and
// GenSDK, at the CLI version this module requires): bind the schema, turn SupportPack on ("we always
// want SupportPack turned on for package add"), marshal it, and hand it to the language host, whose
// GeneratePackage binds it again and calls the generator
// (sdk/python/cmd/pulumi-language-python/main.go: python.GeneratePackage("pulumi-language-python",
// pkg, extraFiles, loader); sdk/go/pulumi-language-go/main.go: gogen.GeneratePackage("pulumi-language-go",
// pkg, localDependencies)). Here the hosts' step is called in process: the language hosts are not
// served by the Go module proxy, and CI cannot read Pulumi's repository to build them.
//
//	gen-sdk -schema dist/schema.json -out DIR [-language python,go]   # writes DIR/python, DIR/go
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// noDependencies answers the binder's requests for other packages' schemas. The package's schema
// names none (its `dependencies` is empty and it only refers to pulumi.json's built-in types), so
// a request means the schema changed in a way this generator has to learn about: say so.
type noDependencies struct{}

func (noDependencies) refuse(name string) error {
	return fmt.Errorf("the schema refers to package %q; gen-sdk loads no other package's schema", name)
}

func (l noDependencies) LoadPackage(name string, _ *semver.Version) (*schema.Package, error) {
	return nil, l.refuse(name)
}

func (l noDependencies) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, l.refuse(d.Name)
}

func (l noDependencies) LoadPackageReference(name string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, l.refuse(name)
}

func (l noDependencies) LoadPackageReferenceV2(
	_ context.Context, d *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	return nil, l.refuse(d.Name)
}

// bind binds a schema as the CLI and the language hosts do, failing on any error diagnostic.
func bind(spec schema.PackageSpec) (*schema.Package, error) {
	pkg, diags, err := schema.BindSpec(spec, noDependencies{}, schema.ValidationOptions{AllowDanglingReferences: true})
	if err != nil {
		return nil, err
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return pkg, nil
}

// packageAsHostsGetIt is the package the CLI sends a language host for `pulumi package add`:
// bound, SupportPack on, marshalled; the host binds that JSON again.
func packageAsHostsGetIt(schemaJSON []byte) (*schema.Package, error) {
	var spec schema.PackageSpec
	if err := json.Unmarshal(schemaJSON, &spec); err != nil {
		return nil, fmt.Errorf("reading the schema: %w", err)
	}
	pkg, err := bind(spec)
	if err != nil {
		return nil, fmt.Errorf("binding the schema: %w", err)
	}
	pkg.SupportPack = true
	sent, err := pkg.MarshalJSON()
	if err != nil {
		return nil, err
	}
	var received schema.PackageSpec
	if err := json.Unmarshal(sent, &received); err != nil {
		return nil, err
	}
	return bind(received)
}

func generate(language string, schemaJSON []byte) (map[string][]byte, error) {
	// Each generator imports its language's section into the bound package: bind once per language.
	pkg, err := packageAsHostsGetIt(schemaJSON)
	if err != nil {
		return nil, err
	}
	switch language {
	case "python":
		return python.GeneratePackage("pulumi-language-python", pkg, map[string][]byte{}, noDependencies{})
	case "go":
		return gogen.GeneratePackage("pulumi-language-go", pkg, nil)
	default:
		return nil, fmt.Errorf("no generator for %q here: python or go", language)
	}
}

// write puts the files under dir, which it empties first as GenSDK does.
func write(dir string, files map[string][]byte) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

func run() error {
	schemaPath := flag.String("schema", "", "the package's schema (what its provider's GetSchema returns)")
	out := flag.String("out", "", "the directory to write <language>/ into")
	languages := flag.String("language", "python,go", "comma-separated: python, go")
	flag.Parse()
	if *schemaPath == "" || *out == "" {
		return errors.New("usage: gen-sdk -schema SCHEMA.json -out DIR [-language python,go]")
	}
	schemaJSON, err := os.ReadFile(*schemaPath)
	if err != nil {
		return err
	}
	for _, language := range strings.Split(*languages, ",") {
		files, err := generate(language, schemaJSON)
		if err != nil {
			return fmt.Errorf("%s: %w", language, err)
		}
		if err := write(filepath.Join(*out, language), files); err != nil {
			return fmt.Errorf("%s: %w", language, err)
		}
		fmt.Printf("gen-sdk: %s SDK, %d files, in %s\n", language, len(files), filepath.Join(*out, language))
	}
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gen-sdk:", err)
		os.Exit(1)
	}
}
