// The AWS credentials chain, in the order the AWS CLI uses, with everything from outside
// (environment, home folder, transport, clock) passed in:
//   1. environment: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN)
//   2. the profile (AWS_PROFILE, default "default") when it assumes a role:
//      role_arn + source_profile (or credential_source = Environment | EcsContainer |
//      Ec2InstanceMetadata) -> STS AssumeRole signed with the source's credentials;
//      role_arn + web_identity_token_file -> STS AssumeRoleWithWebIdentity
//   3. web identity from the environment: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN
//      (+ AWS_ROLE_SESSION_NAME) -> STS AssumeRoleWithWebIdentity (an unsigned call). This
//      is how GitHub Actions' OIDC token reaches AWS.
//   4. the profile's static keys (aws_access_key_id, aws_secret_access_key,
//      aws_session_token) in ~/.aws/credentials or ~/.aws/config
//   5. the container endpoint: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (on 169.254.170.2) or
//      AWS_CONTAINER_CREDENTIALS_FULL_URI (https, or http to a loopback or ECS/EKS address),
//      with AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE] as the Authorization header
//   6. EC2 instance metadata, IMDSv2 (PUT a token, then GET the role and its credentials;
//      1 s timeouts, no retries), unless AWS_EC2_METADATA_DISABLED=true; the endpoint can be
//      moved with AWS_EC2_METADATA_SERVICE_ENDPOINT.
// A source that applies but fails (a named profile that does not exist, STS refusing the
// token, a container endpoint answering 500) stops the chain with its Error: falling through
// to another identity would act as someone the user did not mean. No source at all is an
// ErrorCode::unauthorized Error listing what was tried.
//
// Errors never contain a secret: they name variables, files, profiles and role ARNs.
#pragma once

#include <memory>
#include <string>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "net/aws_config.hpp"
#include "net/clock.hpp"
#include "net/credentials_type.hpp"
#include "net/http.hpp"

namespace lpack::net {

// What the chain and the AWS clients read from the world.
struct AwsContext {
  Environment env;  // the variables the chain may read (the CLI passes the process's)
  fs::path home;    // the user's home folder (for ~/.aws); empty: no shared files
  Transport* transport = nullptr;  // for STS, the container endpoint and IMDS; required
  Clock* clock = nullptr;          // required
};

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // Credentials valid for at least 5 more minutes, resolved on first use and cached until
  // then. Thread-safe.
  virtual Result<Credentials> credentials() = 0;
};

// The chain above. The shared files are read on first use, not here.
std::unique_ptr<CredentialsProvider> make_default_credentials_provider(const AwsContext& context);
// Always the same credentials (tests, and callers that resolved them elsewhere).
std::unique_ptr<CredentialsProvider> make_static_credentials_provider(Credentials credentials);

// The STS calls, usable on their own (publish may assume a deploy role).
struct StsTarget {
  std::string endpoint;  // "https://sts.us-east-1.amazonaws.com" or an override
  std::string region;    // signing region
};
// The STS endpoint and region the chain uses for `context`: resolve_endpoint("sts"), else
// AWS's regional endpoint for the resolved region, else us-east-1's.
Result<StsTarget> sts_target(const AwsContext& context);
Result<Credentials> sts_assume_role(Transport& transport, Clock& clock, const StsTarget& target,
                                    const Credentials& source, std::string_view role_arn,
                                    std::string_view session_name, std::string_view external_id);
Result<Credentials> sts_assume_role_with_web_identity(Transport& transport, const StsTarget& target,
                                                      std::string_view role_arn,
                                                      std::string_view session_name,
                                                      std::string_view token);

}  // namespace lpack::net
