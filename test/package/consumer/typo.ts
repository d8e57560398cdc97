// Does not compile: the editor (and tsc) names the misspelt key.
import { LogShipper } from "s3-log-shipper";

new LogShipper("x", {
  elasticsearch: {
    endpoint: "https://es:443",
    vault: { mount: "m", path: "p" },
    adminVault: { mount: "m", path: "a" },
  },
  producers: [{ name: "waf", bucket: "b-logs", indx: "logs", format: "ndjson" }],
});
