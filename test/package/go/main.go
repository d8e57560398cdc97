// Two LogShippers in a Go program, through the package's generated Go SDK: a security team's
// (CloudTrail and VPC flow logs) and an application team's (WAF's JSON lines). Arguments are the
// SDK's structs: `...ArgsArgs` for the argument types (the schema's type names end in `Args`, and
// the Go generator adds its own), pulumi.String and friends where an argument takes an input,
// plain Go values (pulumi.StringRef, pulumi.Float64Ref) where the schema says it is plain.
package main

import (
	"example.com/pulumi-s3-log-shipper/sdk/go/s3logshipper"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func program(ctx *pulumi.Context) error {
	cfg := config.New(ctx, "")
	endpoint := cfg.Get("elasticsearchEndpoint")
	if endpoint == "" {
		endpoint = "https://elasticsearch.example.internal:9200"
	}
	logsBucket := cfg.Get("logsBucket")
	if logsBucket == "" {
		logsBucket = "example-security-logs"
	}

	security, err := s3logshipper.NewLogShipper(ctx, "security", &s3logshipper.LogShipperArgs{
		Elasticsearch: s3logshipper.ElasticsearchArgsArgs{
			Endpoint:      pulumi.StringRef(endpoint),
			Vault:         s3logshipper.VaultSecretArgsArgs{Mount: "kv", Path: "elasticsearch/shipper"},
			ManageIndices: pulumi.BoolRef(false),
		},
		Defaults: s3logshipper.TuningArgsArgs{TimeoutSeconds: pulumi.Float64Ref(60)},
		Producers: s3logshipper.ProducerArgsArray{
			s3logshipper.ProducerArgsArgs{
				Name:            "cloudtrail",
				Bucket:          logsBucket,
				Prefix:          pulumi.StringRef("AWSLogs/"),
				Format:          s3logshipper.LogFormatAws,
				Namespace:       pulumi.StringRef("security"),
				MaxReceiveCount: pulumi.Float64Ref(8),
			},
			s3logshipper.ProducerArgsArgs{
				Name:      "vpcflow",
				Bucket:    logsBucket,
				Prefix:    pulumi.StringRef("vpcflow/"),
				Format:    s3logshipper.LogFormatAws,
				Namespace: pulumi.StringRef("network"),
			},
		},
	})
	if err != nil {
		return err
	}

	application, err := s3logshipper.NewLogShipper(ctx, "application", &s3logshipper.LogShipperArgs{
		Elasticsearch: s3logshipper.ElasticsearchArgsArgs{
			Endpoint:      pulumi.StringRef(endpoint),
			Vault:         s3logshipper.VaultSecretArgsArgs{Mount: "kv", Path: "elasticsearch/app-shipper"},
			ManageIndices: pulumi.BoolRef(false),
		},
		Producers: s3logshipper.ProducerArgsArray{
			s3logshipper.ProducerArgsArgs{
				Name:      "waf",
				Bucket:    logsBucket,
				Prefix:    pulumi.StringRef("waf/"),
				Format:    s3logshipper.LogFormatNdjson,
				Index:     pulumi.StringRef("logs-waf-app"),
				BatchSize: pulumi.Float64Ref(5),
			},
		},
	})
	if err != nil {
		return err
	}

	// `s3ls --stack` finds LogShipper outputs among the stack's outputs.
	ctx.Export("securityLogShipping", security.Outputs)
	ctx.Export("applicationLogShipping", application.Outputs)
	return nil
}

func main() {
	pulumi.Run(program)
}
