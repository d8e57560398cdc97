/** The parser of each of AWS's line formats, behind one shape (what the builder and `s3ls trace` use). */
import type { ParsedLineFormat } from "../../contract/formats";
import { CloudFrontParser } from "./cloudfront";
import type { ParsedLine } from "./ecs";
import { parseAlb, parseClassicElb, parseNlb } from "./elb";
import { parseS3Access } from "./s3access";
import { VpcFlowParser } from "./vpcflow";

/** Reads one object's lines, in order: header lines are remembered, not documents. */
export interface AwsLineParser {
  /** Whether `line` is a header line (consumed here; never a document). */
  readHeader(line: string): boolean;
  /** The line's ECS document, or undefined when it does not parse (it is still indexed, as text). */
  parse(line: string): ParsedLine | undefined;
  /** The header a continuation of this object must carry (its field names), if it has one. */
  readonly header: string[] | undefined;
}

/** A format without header lines. */
function stateless(parse: (line: string) => ParsedLine | undefined): AwsLineParser {
  return { readHeader: () => false, parse, header: undefined };
}

/** A new parser for one object of `format`; `header` is what a continuation carried. */
export function awsLineParser(format: ParsedLineFormat, header?: string[]): AwsLineParser {
  switch (format) {
    case "alb":
      return stateless(parseAlb);
    case "nlb":
      return stateless(parseNlb);
    case "elb":
      return stateless(parseClassicElb);
    case "s3access":
      return stateless(parseS3Access);
    case "cloudfront":
      return new CloudFrontParser(header);
    case "vpcflow":
      return new VpcFlowParser(header);
  }
}
