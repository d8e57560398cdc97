// The Go program's unit test, with Pulumi's mocks: each LogShipper is one remote component
// registration (the package's provider builds its children at deploy time), its arguments arrive
// under the schema's names, and the component's outputs read back as the SDK's types.
package main

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/pulumi-s3-log-shipper/sdk/go/s3logshipper"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const logShipperType = "s3-log-shipper:index:LogShipper"

// shipperMocks records every registration and answers a LogShipper as its provider would.
type shipperMocks struct {
	mu         sync.Mutex
	registered []pulumi.MockResourceArgs
}

func (m *shipperMocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	m.mu.Lock()
	m.registered = append(m.registered, args)
	m.mu.Unlock()
	if args.TypeToken != logShipperType {
		return args.Name + "-id", args.Inputs, nil
	}
	producers := resource.PropertyMap{}
	for _, producer := range args.Inputs["producers"].ArrayValue() {
		name := producer.ObjectValue()["name"].StringValue()
		producers[resource.PropertyKey(name)] = resource.NewObjectProperty(resource.PropertyMap{
			"bucket":       producer.ObjectValue()["bucket"],
			"functionName": resource.NewStringProperty(args.Name + "-" + name),
			"queueUrl":     resource.NewStringProperty("https://sqs.eu-west-1.amazonaws.com/123456789012/" + args.Name + "-" + name),
		})
	}
	outputs := resource.PropertyMap{
		"producers":     resource.NewObjectProperty(producers),
		"region":        resource.NewStringProperty("eu-west-1"),
		"alarmTopicArn": resource.NewStringProperty("arn:aws:sns:::" + args.Name),
	}
	return "", resource.PropertyMap{"outputs": resource.NewObjectProperty(outputs)}, nil
}

func (m *shipperMocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

func (m *shipperMocks) shippers() map[string]pulumi.MockResourceArgs {
	m.mu.Lock()
	defer m.mu.Unlock()
	found := map[string]pulumi.MockResourceArgs{}
	for _, args := range m.registered {
		if args.TypeToken == logShipperType {
			found[args.Name] = args
		}
	}
	return found
}

func runProgram(t *testing.T) *shipperMocks {
	t.Helper()
	mocks := &shipperMocks{}
	if err := pulumi.RunErr(program, pulumi.WithMocks("go-consumer", "test", mocks)); err != nil {
		t.Fatalf("the program failed: %v", err)
	}
	return mocks
}

func TestEachLogShipperIsOneRemoteComponentRegistration(t *testing.T) {
	mocks := runProgram(t)
	var names, others []string
	for _, args := range mocks.registered {
		if args.TypeToken != logShipperType {
			others = append(others, args.TypeToken)
			continue
		}
		names = append(names, args.Name)
		if args.Custom || args.RegisterRPC == nil || !args.RegisterRPC.GetRemote() {
			t.Errorf("%s: registered as custom=%v, remote=%v; want a remote component", args.Name, args.Custom, args.RegisterRPC.GetRemote())
		}
	}
	sort.Strings(names)
	if fmt.Sprint(names) != "[application security]" {
		t.Errorf("LogShipper registrations: %v, want one each of application and security", names)
	}
	// Its children are the provider's to make: the program registers nothing else.
	if len(others) != 0 {
		t.Errorf("the program registered %v besides the components", others)
	}
}

func TestArgumentsArriveUnderTheSchemasNames(t *testing.T) {
	security := runProgram(t).shippers()["security"].Inputs
	want := map[string]string{
		"elasticsearch": `{endpoint:"https://elasticsearch.example.internal:9200",manageIndices:false,vault:{mount:"kv",path:"elasticsearch/shipper"}}`,
		"defaults":      `{timeoutSeconds:60}`,
		"producers[0]":  `{bucket:"example-security-logs",format:"aws",maxReceiveCount:8,name:"cloudtrail",namespace:"security",prefix:"AWSLogs/"}`,
	}
	got := map[string]string{
		"elasticsearch": compact(security["elasticsearch"]),
		"defaults":      compact(security["defaults"]),
		"producers[0]":  compact(security["producers"].ArrayValue()[0]),
	}
	for key, value := range want {
		if got[key] != value {
			t.Errorf("%s:\n got %s\nwant %s", key, got[key], value)
		}
	}
	if n := len(security["producers"].ArrayValue()); n != 2 {
		t.Errorf("security has %d producers, want 2", n)
	}
}

// compact prints a property value as sorted keys and values, without the SDK's type wrappers.
func compact(value resource.PropertyValue) string {
	switch {
	case value.IsObject():
		keys := value.ObjectValue().StableKeys()
		parts := make([]string, 0, len(keys))
		for _, key := range keys {
			parts = append(parts, string(key)+":"+compact(value.ObjectValue()[key]))
		}
		return "{" + strings.Join(parts, ",") + "}"
	case value.IsArray():
		parts := []string{}
		for _, element := range value.ArrayValue() {
			parts = append(parts, compact(element))
		}
		return "[" + strings.Join(parts, ",") + "]"
	case value.IsString():
		return fmt.Sprintf("%q", value.StringValue())
	default:
		return fmt.Sprint(value.V)
	}
}

func TestOutputsAreReadableAsTheSDKsTypes(t *testing.T) {
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		shipper, err := s3logshipper.NewLogShipper(ctx, "security", &s3logshipper.LogShipperArgs{
			Elasticsearch: s3logshipper.ElasticsearchArgsArgs{Vault: s3logshipper.VaultSecretArgsArgs{Mount: "kv", Path: "p"}},
			Producers: s3logshipper.ProducerArgsArray{
				s3logshipper.ProducerArgsArgs{Name: "cloudtrail", Bucket: "logs", Format: s3logshipper.LogFormatAws},
			},
		})
		if err != nil {
			return err
		}
		read := make(chan s3logshipper.LogShipperOutputs, 1)
		shipper.Outputs.ApplyT(func(outputs s3logshipper.LogShipperOutputs) error {
			read <- outputs
			return nil
		})
		select {
		case outputs := <-read:
			producer, ok := outputs.Producers["cloudtrail"]
			if !ok || producer.FunctionName != "security-cloudtrail" || producer.Bucket != "logs" || outputs.Region != "eu-west-1" {
				t.Errorf("outputs: %+v", outputs)
			}
		case <-time.After(30 * time.Second):
			t.Error("the component's outputs never resolved")
		}
		return nil
	}, pulumi.WithMocks("go-consumer", "test", &shipperMocks{}))
	if err != nil {
		t.Fatal(err)
	}
}

func TestAMissingRequiredArgumentIsRefusedWithItsName(t *testing.T) {
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		_, err := s3logshipper.NewLogShipper(ctx, "no-cluster", &s3logshipper.LogShipperArgs{
			Producers: s3logshipper.ProducerArgsArray{
				s3logshipper.ProducerArgsArgs{Name: "waf", Bucket: "logs", Format: s3logshipper.LogFormatNdjson},
			},
		})
		return err
	}, pulumi.WithMocks("go-consumer", "test", &shipperMocks{}))
	if err == nil || !strings.Contains(err.Error(), "'Elasticsearch'") {
		t.Fatalf("want the missing argument named, got %v", err)
	}
}
