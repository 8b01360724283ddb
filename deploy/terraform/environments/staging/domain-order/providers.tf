provider "aws" {
  region = "ca-central-1"

  default_tags {
    tags = module.domain.tags
  }
}

# The environment's cluster, from core-infra's state.
provider "kubernetes" {
  host                   = module.domain.cluster_endpoint
  cluster_ca_certificate = base64decode(module.domain.cluster_certificate_authority_data)

  exec {
    api_version = "client.authentication.k8s.io/v1beta1"
    command     = "aws"
    args        = module.domain.cluster_token_args
  }
}
