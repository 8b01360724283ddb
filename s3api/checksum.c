/*
 * checksum — see checksum.h for what this module owns.
 */
#include "checksum.h"

#include <isa-l/crc.h>
#include <openssl/evp.h>
#include <limits.h>
#include <string.h>
#include <strings.h>

/*
 * CRC-64/NVME, reflected, poly 0x9a6c9329ac4bc9b5 (0xad93d23594c93659
 * unreflected). Slicing-by-8 table: crc64nvme_table[k][b] is the CRC
 * register contribution of byte b followed by k zero bytes, so eight input
 * bytes fold into the register with eight lookups instead of a dependent
 * chain of eight. The table is written out (generated once, checked by
 * tests/unit/test_checksum.c against a bitwise reference) rather than built
 * at first use, so the module keeps no mutable global state and needs no
 * once-initialisation.
 */
static const uint64_t crc64nvme_table[8][256] = {
    {
        0x0000000000000000ull, 0x7f6ef0c830358979ull, 0xfedde190606b12f2ull, 0x81b31158505e9b8bull,
        0xc962e5739841b68full, 0xb60c15bba8743ff6ull, 0x37bf04e3f82aa47dull, 0x48d1f42bc81f2d04ull,
        0xa61cecb46814fe75ull, 0xd9721c7c5821770cull, 0x58c10d24087fec87ull, 0x27affdec384a65feull,
        0x6f7e09c7f05548faull, 0x1010f90fc060c183ull, 0x91a3e857903e5a08ull, 0xeecd189fa00bd371ull,
        0x78e0ff3b88be6f81ull, 0x078e0ff3b88be6f8ull, 0x863d1eabe8d57d73ull, 0xf953ee63d8e0f40aull,
        0xb1821a4810ffd90eull, 0xceecea8020ca5077ull, 0x4f5ffbd87094cbfcull, 0x30310b1040a14285ull,
        0xdefc138fe0aa91f4ull, 0xa192e347d09f188dull, 0x2021f21f80c18306ull, 0x5f4f02d7b0f40a7full,
        0x179ef6fc78eb277bull, 0x68f0063448deae02ull, 0xe943176c18803589ull, 0x962de7a428b5bcf0ull,
        0xf1c1fe77117cdf02ull, 0x8eaf0ebf2149567bull, 0x0f1c1fe77117cdf0ull, 0x7072ef2f41224489ull,
        0x38a31b04893d698dull, 0x47cdebccb908e0f4ull, 0xc67efa94e9567b7full, 0xb9100a5cd963f206ull,
        0x57dd12c379682177ull, 0x28b3e20b495da80eull, 0xa900f35319033385ull, 0xd66e039b2936bafcull,
        0x9ebff7b0e12997f8ull, 0xe1d10778d11c1e81ull, 0x606216208142850aull, 0x1f0ce6e8b1770c73ull,
        0x8921014c99c2b083ull, 0xf64ff184a9f739faull, 0x77fce0dcf9a9a271ull, 0x08921014c99c2b08ull,
        0x4043e43f0183060cull, 0x3f2d14f731b68f75ull, 0xbe9e05af61e814feull, 0xc1f0f56751dd9d87ull,
        0x2f3dedf8f1d64ef6ull, 0x50531d30c1e3c78full, 0xd1e00c6891bd5c04ull, 0xae8efca0a188d57dull,
        0xe65f088b6997f879ull, 0x9931f84359a27100ull, 0x1882e91b09fcea8bull, 0x67ec19d339c963f2ull,
        0xd75adabd7a6e2d6full, 0xa8342a754a5ba416ull, 0x29873b2d1a053f9dull, 0x56e9cbe52a30b6e4ull,
        0x1e383fcee22f9be0ull, 0x6156cf06d21a1299ull, 0xe0e5de5e82448912ull, 0x9f8b2e96b271006bull,
        0x71463609127ad31aull, 0x0e28c6c1224f5a63ull, 0x8f9bd7997211c1e8ull, 0xf0f5275142244891ull,
        0xb824d37a8a3b6595ull, 0xc74a23b2ba0eececull, 0x46f932eaea507767ull, 0x3997c222da65fe1eull,
        0xafba2586f2d042eeull, 0xd0d4d54ec2e5cb97ull, 0x5167c41692bb501cull, 0x2e0934dea28ed965ull,
        0x66d8c0f56a91f461ull, 0x19b6303d5aa47d18ull, 0x980521650afae693ull, 0xe76bd1ad3acf6feaull,
        0x09a6c9329ac4bc9bull, 0x76c839faaaf135e2ull, 0xf77b28a2faafae69ull, 0x8815d86aca9a2710ull,
        0xc0c42c4102850a14ull, 0xbfaadc8932b0836dull, 0x3e19cdd162ee18e6ull, 0x41773d1952db919full,
        0x269b24ca6b12f26dull, 0x59f5d4025b277b14ull, 0xd846c55a0b79e09full, 0xa72835923b4c69e6ull,
        0xeff9c1b9f35344e2ull, 0x90973171c366cd9bull, 0x1124202993385610ull, 0x6e4ad0e1a30ddf69ull,
        0x8087c87e03060c18ull, 0xffe938b633338561ull, 0x7e5a29ee636d1eeaull, 0x0134d92653589793ull,
        0x49e52d0d9b47ba97ull, 0x368bddc5ab7233eeull, 0xb738cc9dfb2ca865ull, 0xc8563c55cb19211cull,
        0x5e7bdbf1e3ac9decull, 0x21152b39d3991495ull, 0xa0a63a6183c78f1eull, 0xdfc8caa9b3f20667ull,
        0x97193e827bed2b63ull, 0xe877ce4a4bd8a21aull, 0x69c4df121b863991ull, 0x16aa2fda2bb3b0e8ull,
        0xf86737458bb86399ull, 0x8709c78dbb8deae0ull, 0x06bad6d5ebd3716bull, 0x79d4261ddbe6f812ull,
        0x3105d23613f9d516ull, 0x4e6b22fe23cc5c6full, 0xcfd833a67392c7e4ull, 0xb0b6c36e43a74e9dull,
        0x9a6c9329ac4bc9b5ull, 0xe50263e19c7e40ccull, 0x64b172b9cc20db47ull, 0x1bdf8271fc15523eull,
        0x530e765a340a7f3aull, 0x2c608692043ff643ull, 0xadd397ca54616dc8ull, 0xd2bd67026454e4b1ull,
        0x3c707f9dc45f37c0ull, 0x431e8f55f46abeb9ull, 0xc2ad9e0da4342532ull, 0xbdc36ec59401ac4bull,
        0xf5129aee5c1e814full, 0x8a7c6a266c2b0836ull, 0x0bcf7b7e3c7593bdull, 0x74a18bb60c401ac4ull,
        0xe28c6c1224f5a634ull, 0x9de29cda14c02f4dull, 0x1c518d82449eb4c6ull, 0x633f7d4a74ab3dbfull,
        0x2bee8961bcb410bbull, 0x548079a98c8199c2ull, 0xd53368f1dcdf0249ull, 0xaa5d9839ecea8b30ull,
        0x449080a64ce15841ull, 0x3bfe706e7cd4d138ull, 0xba4d61362c8a4ab3ull, 0xc52391fe1cbfc3caull,
        0x8df265d5d4a0eeceull, 0xf29c951de49567b7ull, 0x732f8445b4cbfc3cull, 0x0c41748d84fe7545ull,
        0x6bad6d5ebd3716b7ull, 0x14c39d968d029fceull, 0x95708ccedd5c0445ull, 0xea1e7c06ed698d3cull,
        0xa2cf882d2576a038ull, 0xdda178e515432941ull, 0x5c1269bd451db2caull, 0x237c997575283bb3ull,
        0xcdb181ead523e8c2ull, 0xb2df7122e51661bbull, 0x336c607ab548fa30ull, 0x4c0290b2857d7349ull,
        0x04d364994d625e4dull, 0x7bbd94517d57d734ull, 0xfa0e85092d094cbfull, 0x856075c11d3cc5c6ull,
        0x134d926535897936ull, 0x6c2362ad05bcf04full, 0xed9073f555e26bc4ull, 0x92fe833d65d7e2bdull,
        0xda2f7716adc8cfb9ull, 0xa54187de9dfd46c0ull, 0x24f29686cda3dd4bull, 0x5b9c664efd965432ull,
        0xb5517ed15d9d8743ull, 0xca3f8e196da80e3aull, 0x4b8c9f413df695b1ull, 0x34e26f890dc31cc8ull,
        0x7c339ba2c5dc31ccull, 0x035d6b6af5e9b8b5ull, 0x82ee7a32a5b7233eull, 0xfd808afa9582aa47ull,
        0x4d364994d625e4daull, 0x3258b95ce6106da3ull, 0xb3eba804b64ef628ull, 0xcc8558cc867b7f51ull,
        0x8454ace74e645255ull, 0xfb3a5c2f7e51db2cull, 0x7a894d772e0f40a7ull, 0x05e7bdbf1e3ac9deull,
        0xeb2aa520be311aafull, 0x944455e88e0493d6ull, 0x15f744b0de5a085dull, 0x6a99b478ee6f8124ull,
        0x224840532670ac20ull, 0x5d26b09b16452559ull, 0xdc95a1c3461bbed2ull, 0xa3fb510b762e37abull,
        0x35d6b6af5e9b8b5bull, 0x4ab846676eae0222ull, 0xcb0b573f3ef099a9ull, 0xb465a7f70ec510d0ull,
        0xfcb453dcc6da3dd4ull, 0x83daa314f6efb4adull, 0x0269b24ca6b12f26ull, 0x7d0742849684a65full,
        0x93ca5a1b368f752eull, 0xeca4aad306bafc57ull, 0x6d17bb8b56e467dcull, 0x12794b4366d1eea5ull,
        0x5aa8bf68aecec3a1ull, 0x25c64fa09efb4ad8ull, 0xa4755ef8cea5d153ull, 0xdb1bae30fe90582aull,
        0xbcf7b7e3c7593bd8ull, 0xc399472bf76cb2a1ull, 0x422a5673a732292aull, 0x3d44a6bb9707a053ull,
        0x759552905f188d57ull, 0x0afba2586f2d042eull, 0x8b48b3003f739fa5ull, 0xf42643c80f4616dcull,
        0x1aeb5b57af4dc5adull, 0x6585ab9f9f784cd4ull, 0xe436bac7cf26d75full, 0x9b584a0fff135e26ull,
        0xd389be24370c7322ull, 0xace74eec0739fa5bull, 0x2d545fb4576761d0ull, 0x523aaf7c6752e8a9ull,
        0xc41748d84fe75459ull, 0xbb79b8107fd2dd20ull, 0x3acaa9482f8c46abull, 0x45a459801fb9cfd2ull,
        0x0d75adabd7a6e2d6ull, 0x721b5d63e7936bafull, 0xf3a84c3bb7cdf024ull, 0x8cc6bcf387f8795dull,
        0x620ba46c27f3aa2cull, 0x1d6554a417c62355ull, 0x9cd645fc4798b8deull, 0xe3b8b53477ad31a7ull,
        0xab69411fbfb21ca3ull, 0xd407b1d78f8795daull, 0x55b4a08fdfd90e51ull, 0x2ada5047efec8728ull,
    },
    {
        0x0000000000000000ull, 0x8776a97d73bddf69ull, 0x3a3474a9bfec2db9ull, 0xbd42ddd4cc51f2d0ull,
        0x7468e9537fd85b72ull, 0xf31e402e0c65841bull, 0x4e5c9dfac03476cbull, 0xc92a3487b389a9a2ull,
        0xe8d1d2a6ffb0b6e4ull, 0x6fa77bdb8c0d698dull, 0xd2e5a60f405c9b5dull, 0x55930f7233e14434ull,
        0x9cb93bf58068ed96ull, 0x1bcf9288f3d532ffull, 0xa68d4f5c3f84c02full, 0x21fbe6214c391f46ull,
        0xe57a831ea7f6fea3ull, 0x620c2a63d44b21caull, 0xdf4ef7b7181ad31aull, 0x58385eca6ba70c73ull,
        0x91126a4dd82ea5d1ull, 0x1664c330ab937ab8ull, 0xab261ee467c28868ull, 0x2c50b799147f5701ull,
        0x0dab51b858464847ull, 0x8addf8c52bfb972eull, 0x379f2511e7aa65feull, 0xb0e98c6c9417ba97ull,
        0x79c3b8eb279e1335ull, 0xfeb511965423cc5cull, 0x43f7cc4298723e8cull, 0xc481653febcfe1e5ull,
        0xfe2c206e177a6e2dull, 0x795a891364c7b144ull, 0xc41854c7a8964394ull, 0x436efdbadb2b9cfdull,
        0x8a44c93d68a2355full, 0x0d3260401b1fea36ull, 0xb070bd94d74e18e6ull, 0x370614e9a4f3c78full,
        0x16fdf2c8e8cad8c9ull, 0x918b5bb59b7707a0ull, 0x2cc986615726f570ull, 0xabbf2f1c249b2a19ull,
        0x62951b9b971283bbull, 0xe5e3b2e6e4af5cd2ull, 0x58a16f3228feae02ull, 0xdfd7c64f5b43716bull,
        0x1b56a370b08c908eull, 0x9c200a0dc3314fe7ull, 0x2162d7d90f60bd37ull, 0xa6147ea47cdd625eull,
        0x6f3e4a23cf54cbfcull, 0xe848e35ebce91495ull, 0x550a3e8a70b8e645ull, 0xd27c97f70305392cull,
        0xf38771d64f3c266aull, 0x74f1d8ab3c81f903ull, 0xc9b3057ff0d00bd3ull, 0x4ec5ac02836dd4baull,
        0x87ef988530e47d18ull, 0x009931f84359a271ull, 0xbddbec2c8f0850a1ull, 0x3aad4551fcb58fc8ull,
        0xc881668f76634f31ull, 0x4ff7cff205de9058ull, 0xf2b51226c98f6288ull, 0x75c3bb5bba32bde1ull,
        0xbce98fdc09bb1443ull, 0x3b9f26a17a06cb2aull, 0x86ddfb75b65739faull, 0x01ab5208c5eae693ull,
        0x2050b42989d3f9d5ull, 0xa7261d54fa6e26bcull, 0x1a64c080363fd46cull, 0x9d1269fd45820b05ull,
        0x54385d7af60ba2a7ull, 0xd34ef40785b67dceull, 0x6e0c29d349e78f1eull, 0xe97a80ae3a5a5077ull,
        0x2dfbe591d195b192ull, 0xaa8d4ceca2286efbull, 0x17cf91386e799c2bull, 0x90b938451dc44342ull,
        0x59930cc2ae4deae0ull, 0xdee5a5bfddf03589ull, 0x63a7786b11a1c759ull, 0xe4d1d116621c1830ull,
        0xc52a37372e250776ull, 0x425c9e4a5d98d81full, 0xff1e439e91c92acfull, 0x7868eae3e274f5a6ull,
        0xb142de6451fd5c04ull, 0x363477192240836dull, 0x8b76aacdee1171bdull, 0x0c0003b09dacaed4ull,
        0x36ad46e16119211cull, 0xb1dbef9c12a4fe75ull, 0x0c993248def50ca5ull, 0x8bef9b35ad48d3ccull,
        0x42c5afb21ec17a6eull, 0xc5b306cf6d7ca507ull, 0x78f1db1ba12d57d7ull, 0xff877266d29088beull,
        0xde7c94479ea997f8ull, 0x590a3d3aed144891ull, 0xe448e0ee2145ba41ull, 0x633e499352f86528ull,
        0xaa147d14e171cc8aull, 0x2d62d46992cc13e3ull, 0x902009bd5e9de133ull, 0x1756a0c02d203e5aull,
        0xd3d7c5ffc6efdfbfull, 0x54a16c82b55200d6ull, 0xe9e3b1567903f206ull, 0x6e95182b0abe2d6full,
        0xa7bf2cacb93784cdull, 0x20c985d1ca8a5ba4ull, 0x9d8b580506dba974ull, 0x1afdf1787566761dull,
        0x3b061759395f695bull, 0xbc70be244ae2b632ull, 0x013263f086b344e2ull, 0x8644ca8df50e9b8bull,
        0x4f6efe0a46873229ull, 0xc8185777353aed40ull, 0x755a8aa3f96b1f90ull, 0xf22c23de8ad6c0f9ull,
        0xa5dbeb4db4510d09ull, 0x22ad4230c7ecd260ull, 0x9fef9fe40bbd20b0ull, 0x189936997800ffd9ull,
        0xd1b3021ecb89567bull, 0x56c5ab63b8348912ull, 0xeb8776b774657bc2ull, 0x6cf1dfca07d8a4abull,
        0x4d0a39eb4be1bbedull, 0xca7c9096385c6484ull, 0x773e4d42f40d9654ull, 0xf048e43f87b0493dull,
        0x3962d0b83439e09full, 0xbe1479c547843ff6ull, 0x0356a4118bd5cd26ull, 0x84200d6cf868124full,
        0x40a1685313a7f3aaull, 0xc7d7c12e601a2cc3ull, 0x7a951cfaac4bde13ull, 0xfde3b587dff6017aull,
        0x34c981006c7fa8d8ull, 0xb3bf287d1fc277b1ull, 0x0efdf5a9d3938561ull, 0x898b5cd4a02e5a08ull,
        0xa870baf5ec17454eull, 0x2f0613889faa9a27ull, 0x9244ce5c53fb68f7ull, 0x153267212046b79eull,
        0xdc1853a693cf1e3cull, 0x5b6efadbe072c155ull, 0xe62c270f2c233385ull, 0x615a8e725f9eececull,
        0x5bf7cb23a32b6324ull, 0xdc81625ed096bc4dull, 0x61c3bf8a1cc74e9dull, 0xe6b516f76f7a91f4ull,
        0x2f9f2270dcf33856ull, 0xa8e98b0daf4ee73full, 0x15ab56d9631f15efull, 0x92ddffa410a2ca86ull,
        0xb32619855c9bd5c0ull, 0x3450b0f82f260aa9ull, 0x89126d2ce377f879ull, 0x0e64c45190ca2710ull,
        0xc74ef0d623438eb2ull, 0x403859ab50fe51dbull, 0xfd7a847f9cafa30bull, 0x7a0c2d02ef127c62ull,
        0xbe8d483d04dd9d87ull, 0x39fbe140776042eeull, 0x84b93c94bb31b03eull, 0x03cf95e9c88c6f57ull,
        0xcae5a16e7b05c6f5ull, 0x4d93081308b8199cull, 0xf0d1d5c7c4e9eb4cull, 0x77a77cbab7543425ull,
        0x565c9a9bfb6d2b63ull, 0xd12a33e688d0f40aull, 0x6c68ee32448106daull, 0xeb1e474f373cd9b3ull,
        0x223473c884b57011ull, 0xa542dab5f708af78ull, 0x180007613b595da8ull, 0x9f76ae1c48e482c1ull,
        0x6d5a8dc2c2324238ull, 0xea2c24bfb18f9d51ull, 0x576ef96b7dde6f81ull, 0xd01850160e63b0e8ull,
        0x19326491bdea194aull, 0x9e44cdecce57c623ull, 0x23061038020634f3ull, 0xa470b94571bbeb9aull,
        0x858b5f643d82f4dcull, 0x02fdf6194e3f2bb5ull, 0xbfbf2bcd826ed965ull, 0x38c982b0f1d3060cull,
        0xf1e3b637425aafaeull, 0x76951f4a31e770c7ull, 0xcbd7c29efdb68217ull, 0x4ca16be38e0b5d7eull,
        0x88200edc65c4bc9bull, 0x0f56a7a1167963f2ull, 0xb2147a75da289122ull, 0x3562d308a9954e4bull,
        0xfc48e78f1a1ce7e9ull, 0x7b3e4ef269a13880ull, 0xc67c9326a5f0ca50ull, 0x410a3a5bd64d1539ull,
        0x60f1dc7a9a740a7full, 0xe7877507e9c9d516ull, 0x5ac5a8d3259827c6ull, 0xddb301ae5625f8afull,
        0x14993529e5ac510dull, 0x93ef9c5496118e64ull, 0x2ead41805a407cb4ull, 0xa9dbe8fd29fda3ddull,
        0x9376adacd5482c15ull, 0x140004d1a6f5f37cull, 0xa942d9056aa401acull, 0x2e3470781919dec5ull,
        0xe71e44ffaa907767ull, 0x6068ed82d92da80eull, 0xdd2a3056157c5adeull, 0x5a5c992b66c185b7ull,
        0x7ba77f0a2af89af1ull, 0xfcd1d67759454598ull, 0x41930ba39514b748ull, 0xc6e5a2dee6a96821ull,
        0x0fcf96595520c183ull, 0x88b93f24269d1eeaull, 0x35fbe2f0eaccec3aull, 0xb28d4b8d99713353ull,
        0x760c2eb272bed2b6ull, 0xf17a87cf01030ddfull, 0x4c385a1bcd52ff0full, 0xcb4ef366beef2066ull,
        0x0264c7e10d6689c4ull, 0x85126e9c7edb56adull, 0x3850b348b28aa47dull, 0xbf261a35c1377b14ull,
        0x9eddfc148d0e6452ull, 0x19ab5569feb3bb3bull, 0xa4e988bd32e249ebull, 0x239f21c0415f9682ull,
        0xeab51547f2d63f20ull, 0x6dc3bc3a816be049ull, 0xd08161ee4d3a1299ull, 0x57f7c8933e87cdf0ull,
    },
    {
        0x0000000000000000ull, 0xff6e4e1f4e4038beull, 0xca05ba6dc417e217ull, 0x356bf4728a57daa9ull,
        0xa0d25288d0b85745ull, 0x5fbc1c979ef86ffbull, 0x6ad7e8e514afb552ull, 0x95b9a6fa5aef8decull,
        0x757d8342f9e73de1ull, 0x8a13cd5db7a7055full, 0xbf78392f3df0dff6ull, 0x4016773073b0e748ull,
        0xd5afd1ca295f6aa4ull, 0x2ac19fd5671f521aull, 0x1faa6ba7ed4888b3ull, 0xe0c425b8a308b00dull,
        0xeafb0685f3ce7bc2ull, 0x1595489abd8e437cull, 0x20febce837d999d5ull, 0xdf90f2f77999a16bull,
        0x4a29540d23762c87ull, 0xb5471a126d361439ull, 0x802cee60e761ce90ull, 0x7f42a07fa921f62eull,
        0x9f8685c70a294623ull, 0x60e8cbd844697e9dull, 0x55833faace3ea434ull, 0xaaed71b5807e9c8aull,
        0x3f54d74fda911166ull, 0xc03a995094d129d8ull, 0xf5516d221e86f371ull, 0x0a3f233d50c6cbcfull,
        0xe12f2b58bf0b64efull, 0x1e416547f14b5c51ull, 0x2b2a91357b1c86f8ull, 0xd444df2a355cbe46ull,
        0x41fd79d06fb333aaull, 0xbe9337cf21f30b14ull, 0x8bf8c3bdaba4d1bdull, 0x74968da2e5e4e903ull,
        0x9452a81a46ec590eull, 0x6b3ce60508ac61b0ull, 0x5e57127782fbbb19ull, 0xa1395c68ccbb83a7ull,
        0x3480fa9296540e4bull, 0xcbeeb48dd81436f5ull, 0xfe8540ff5243ec5cull, 0x01eb0ee01c03d4e2ull,
        0x0bd42ddd4cc51f2dull, 0xf4ba63c202852793ull, 0xc1d197b088d2fd3aull, 0x3ebfd9afc692c584ull,
        0xab067f559c7d4868ull, 0x5468314ad23d70d6ull, 0x6103c538586aaa7full, 0x9e6d8b27162a92c1ull,
        0x7ea9ae9fb52222ccull, 0x81c7e080fb621a72ull, 0xb4ac14f27135c0dbull, 0x4bc25aed3f75f865ull,
        0xde7bfc17659a7589ull, 0x2115b2082bda4d37ull, 0x147e467aa18d979eull, 0xeb100865efcdaf20ull,
        0xf68770e226815ab5ull, 0x09e93efd68c1620bull, 0x3c82ca8fe296b8a2ull, 0xc3ec8490acd6801cull,
        0x5655226af6390df0ull, 0xa93b6c75b879354eull, 0x9c509807322eefe7ull, 0x633ed6187c6ed759ull,
        0x83faf3a0df666754ull, 0x7c94bdbf91265feaull, 0x49ff49cd1b718543ull, 0xb69107d25531bdfdull,
        0x2328a1280fde3011ull, 0xdc46ef37419e08afull, 0xe92d1b45cbc9d206ull, 0x1643555a8589eab8ull,
        0x1c7c7667d54f2177ull, 0xe31238789b0f19c9ull, 0xd679cc0a1158c360ull, 0x291782155f18fbdeull,
        0xbcae24ef05f77632ull, 0x43c06af04bb74e8cull, 0x76ab9e82c1e09425ull, 0x89c5d09d8fa0ac9bull,
        0x6901f5252ca81c96ull, 0x966fbb3a62e82428ull, 0xa3044f48e8bffe81ull, 0x5c6a0157a6ffc63full,
        0xc9d3a7adfc104bd3ull, 0x36bde9b2b250736dull, 0x03d61dc03807a9c4ull, 0xfcb853df7647917aull,
        0x17a85bba998a3e5aull, 0xe8c615a5d7ca06e4ull, 0xddade1d75d9ddc4dull, 0x22c3afc813dde4f3ull,
        0xb77a09324932691full, 0x4814472d077251a1ull, 0x7d7fb35f8d258b08ull, 0x8211fd40c365b3b6ull,
        0x62d5d8f8606d03bbull, 0x9dbb96e72e2d3b05ull, 0xa8d06295a47ae1acull, 0x57be2c8aea3ad912ull,
        0xc2078a70b0d554feull, 0x3d69c46ffe956c40ull, 0x0802301d74c2b6e9ull, 0xf76c7e023a828e57ull,
        0xfd535d3f6a444598ull, 0x023d132024047d26ull, 0x3756e752ae53a78full, 0xc838a94de0139f31ull,
        0x5d810fb7bafc12ddull, 0xa2ef41a8f4bc2a63ull, 0x9784b5da7eebf0caull, 0x68eafbc530abc874ull,
        0x882ede7d93a37879ull, 0x77409062dde340c7ull, 0x422b641057b49a6eull, 0xbd452a0f19f4a2d0ull,
        0x28fc8cf5431b2f3cull, 0xd792c2ea0d5b1782ull, 0xe2f93698870ccd2bull, 0x1d977887c94cf595ull,
        0xd9d7c79715952601ull, 0x26b989885bd51ebfull, 0x13d27dfad182c416ull, 0xecbc33e59fc2fca8ull,
        0x7905951fc52d7144ull, 0x866bdb008b6d49faull, 0xb3002f72013a9353ull, 0x4c6e616d4f7aabedull,
        0xacaa44d5ec721be0ull, 0x53c40acaa232235eull, 0x66affeb82865f9f7ull, 0x99c1b0a76625c149ull,
        0x0c78165d3cca4ca5ull, 0xf3165842728a741bull, 0xc67dac30f8ddaeb2ull, 0x3913e22fb69d960cull,
        0x332cc112e65b5dc3ull, 0xcc428f0da81b657dull, 0xf9297b7f224cbfd4ull, 0x064735606c0c876aull,
        0x93fe939a36e30a86ull, 0x6c90dd8578a33238ull, 0x59fb29f7f2f4e891ull, 0xa69567e8bcb4d02full,
        0x465142501fbc6022ull, 0xb93f0c4f51fc589cull, 0x8c54f83ddbab8235ull, 0x733ab62295ebba8bull,
        0xe68310d8cf043767ull, 0x19ed5ec781440fd9ull, 0x2c86aab50b13d570ull, 0xd3e8e4aa4553edceull,
        0x38f8eccfaa9e42eeull, 0xc796a2d0e4de7a50ull, 0xf2fd56a26e89a0f9ull, 0x0d9318bd20c99847ull,
        0x982abe477a2615abull, 0x6744f05834662d15ull, 0x522f042abe31f7bcull, 0xad414a35f071cf02ull,
        0x4d856f8d53797f0full, 0xb2eb21921d3947b1ull, 0x8780d5e0976e9d18ull, 0x78ee9bffd92ea5a6ull,
        0xed573d0583c1284aull, 0x1239731acd8110f4ull, 0x2752876847d6ca5dull, 0xd83cc9770996f2e3ull,
        0xd203ea4a5950392cull, 0x2d6da45517100192ull, 0x180650279d47db3bull, 0xe7681e38d307e385ull,
        0x72d1b8c289e86e69ull, 0x8dbff6ddc7a856d7ull, 0xb8d402af4dff8c7eull, 0x47ba4cb003bfb4c0ull,
        0xa77e6908a0b704cdull, 0x58102717eef73c73ull, 0x6d7bd36564a0e6daull, 0x92159d7a2ae0de64ull,
        0x07ac3b80700f5388ull, 0xf8c2759f3e4f6b36ull, 0xcda981edb418b19full, 0x32c7cff2fa588921ull,
        0x2f50b77533147cb4ull, 0xd03ef96a7d54440aull, 0xe5550d18f7039ea3ull, 0x1a3b4307b943a61dull,
        0x8f82e5fde3ac2bf1ull, 0x70ecabe2adec134full, 0x45875f9027bbc9e6ull, 0xbae9118f69fbf158ull,
        0x5a2d3437caf34155ull, 0xa5437a2884b379ebull, 0x90288e5a0ee4a342ull, 0x6f46c04540a49bfcull,
        0xfaff66bf1a4b1610ull, 0x059128a0540b2eaeull, 0x30fadcd2de5cf407ull, 0xcf9492cd901cccb9ull,
        0xc5abb1f0c0da0776ull, 0x3ac5ffef8e9a3fc8ull, 0x0fae0b9d04cde561ull, 0xf0c045824a8ddddfull,
        0x6579e37810625033ull, 0x9a17ad675e22688dull, 0xaf7c5915d475b224ull, 0x5012170a9a358a9aull,
        0xb0d632b2393d3a97ull, 0x4fb87cad777d0229ull, 0x7ad388dffd2ad880ull, 0x85bdc6c0b36ae03eull,
        0x1004603ae9856dd2ull, 0xef6a2e25a7c5556cull, 0xda01da572d928fc5ull, 0x256f944863d2b77bull,
        0xce7f9c2d8c1f185bull, 0x3111d232c25f20e5ull, 0x047a26404808fa4cull, 0xfb14685f0648c2f2ull,
        0x6eadcea55ca74f1eull, 0x91c380ba12e777a0ull, 0xa4a874c898b0ad09ull, 0x5bc63ad7d6f095b7ull,
        0xbb021f6f75f825baull, 0x446c51703bb81d04ull, 0x7107a502b1efc7adull, 0x8e69eb1dffafff13ull,
        0x1bd04de7a54072ffull, 0xe4be03f8eb004a41ull, 0xd1d5f78a615790e8ull, 0x2ebbb9952f17a856ull,
        0x24849aa87fd16399ull, 0xdbead4b731915b27ull, 0xee8120c5bbc6818eull, 0x11ef6edaf586b930ull,
        0x8456c820af6934dcull, 0x7b38863fe1290c62ull, 0x4e53724d6b7ed6cbull, 0xb13d3c52253eee75ull,
        0x51f919ea86365e78ull, 0xae9757f5c87666c6ull, 0x9bfca3874221bc6full, 0x6492ed980c6184d1ull,
        0xf12b4b62568e093dull, 0x0e45057d18ce3183ull, 0x3b2ef10f9299eb2aull, 0xc440bf10dcd9d394ull,
    },
    {
        0x0000000000000000ull, 0x8211147cbaf96306ull, 0x30fb0eaa2d655567ull, 0xb2ea1ad6979c3661ull,
        0x61f61d545acaaaceull, 0xe3e70928e033c9c8ull, 0x510d13fe77afffa9ull, 0xd31c0782cd569cafull,
        0xc3ec3aa8b595559cull, 0x41fd2ed40f6c369aull, 0xf317340298f000fbull, 0x7106207e220963fdull,
        0xa21a27fcef5fff52ull, 0x200b338055a69c54ull, 0x92e12956c23aaa35ull, 0x10f03d2a78c3c933ull,
        0xb301530233bd3853ull, 0x3110477e89445b55ull, 0x83fa5da81ed86d34ull, 0x01eb49d4a4210e32ull,
        0xd2f74e566977929dull, 0x50e65a2ad38ef19bull, 0xe20c40fc4412c7faull, 0x601d5480feeba4fcull,
        0x70ed69aa86286dcfull, 0xf2fc7dd63cd10ec9ull, 0x40166700ab4d38a8ull, 0xc207737c11b45baeull,
        0x111b74fedce2c701ull, 0x930a6082661ba407ull, 0x21e07a54f1879266ull, 0xa3f16e284b7ef160ull,
        0x52db80573fede3cdull, 0xd0ca942b851480cbull, 0x62208efd1288b6aaull, 0xe0319a81a871d5acull,
        0x332d9d0365274903ull, 0xb13c897fdfde2a05ull, 0x03d693a948421c64ull, 0x81c787d5f2bb7f62ull,
        0x9137baff8a78b651ull, 0x1326ae833081d557ull, 0xa1ccb455a71de336ull, 0x23dda0291de48030ull,
        0xf0c1a7abd0b21c9full, 0x72d0b3d76a4b7f99ull, 0xc03aa901fdd749f8ull, 0x422bbd7d472e2afeull,
        0xe1dad3550c50db9eull, 0x63cbc729b6a9b898ull, 0xd121ddff21358ef9ull, 0x5330c9839bccedffull,
        0x802cce01569a7150ull, 0x023dda7dec631256ull, 0xb0d7c0ab7bff2437ull, 0x32c6d4d7c1064731ull,
        0x2236e9fdb9c58e02ull, 0xa027fd81033ced04ull, 0x12cde75794a0db65ull, 0x90dcf32b2e59b863ull,
        0x43c0f4a9e30f24ccull, 0xc1d1e0d559f647caull, 0x733bfa03ce6a71abull, 0xf12aee7f749312adull,
        0xa5b700ae7fdbc79aull, 0x27a614d2c522a49cull, 0x954c0e0452be92fdull, 0x175d1a78e847f1fbull,
        0xc4411dfa25116d54ull, 0x465009869fe80e52ull, 0xf4ba135008743833ull, 0x76ab072cb28d5b35ull,
        0x665b3a06ca4e9206ull, 0xe44a2e7a70b7f100ull, 0x56a034ace72bc761ull, 0xd4b120d05dd2a467ull,
        0x07ad2752908438c8ull, 0x85bc332e2a7d5bceull, 0x375629f8bde16dafull, 0xb5473d8407180ea9ull,
        0x16b653ac4c66ffc9ull, 0x94a747d0f69f9ccfull, 0x264d5d066103aaaeull, 0xa45c497adbfac9a8ull,
        0x77404ef816ac5507ull, 0xf5515a84ac553601ull, 0x47bb40523bc90060ull, 0xc5aa542e81306366ull,
        0xd55a6904f9f3aa55ull, 0x574b7d78430ac953ull, 0xe5a167aed496ff32ull, 0x67b073d26e6f9c34ull,
        0xb4ac7450a339009bull, 0x36bd602c19c0639dull, 0x84577afa8e5c55fcull, 0x06466e8634a536faull,
        0xf76c80f940362457ull, 0x757d9485facf4751ull, 0xc7978e536d537130ull, 0x45869a2fd7aa1236ull,
        0x969a9dad1afc8e99ull, 0x148b89d1a005ed9full, 0xa66193073799dbfeull, 0x2470877b8d60b8f8ull,
        0x3480ba51f5a371cbull, 0xb691ae2d4f5a12cdull, 0x047bb4fbd8c624acull, 0x866aa087623f47aaull,
        0x5576a705af69db05ull, 0xd767b3791590b803ull, 0x658da9af820c8e62ull, 0xe79cbdd338f5ed64ull,
        0x446dd3fb738b1c04ull, 0xc67cc787c9727f02ull, 0x7496dd515eee4963ull, 0xf687c92de4172a65ull,
        0x259bceaf2941b6caull, 0xa78adad393b8d5ccull, 0x1560c0050424e3adull, 0x9771d479bedd80abull,
        0x8781e953c61e4998ull, 0x0590fd2f7ce72a9eull, 0xb77ae7f9eb7b1cffull, 0x356bf38551827ff9ull,
        0xe677f4079cd4e356ull, 0x6466e07b262d8050ull, 0xd68cfaadb1b1b631ull, 0x549deed10b48d537ull,
        0x7fb7270fa7201c5full, 0xfda633731dd97f59ull, 0x4f4c29a58a454938ull, 0xcd5d3dd930bc2a3eull,
        0x1e413a5bfdeab691ull, 0x9c502e274713d597ull, 0x2eba34f1d08fe3f6ull, 0xacab208d6a7680f0ull,
        0xbc5b1da712b549c3ull, 0x3e4a09dba84c2ac5ull, 0x8ca0130d3fd01ca4ull, 0x0eb1077185297fa2ull,
        0xddad00f3487fe30dull, 0x5fbc148ff286800bull, 0xed560e59651ab66aull, 0x6f471a25dfe3d56cull,
        0xccb6740d949d240cull, 0x4ea760712e64470aull, 0xfc4d7aa7b9f8716bull, 0x7e5c6edb0301126dull,
        0xad406959ce578ec2ull, 0x2f517d2574aeedc4ull, 0x9dbb67f3e332dba5ull, 0x1faa738f59cbb8a3ull,
        0x0f5a4ea521087190ull, 0x8d4b5ad99bf11296ull, 0x3fa1400f0c6d24f7ull, 0xbdb05473b69447f1ull,
        0x6eac53f17bc2db5eull, 0xecbd478dc13bb858ull, 0x5e575d5b56a78e39ull, 0xdc464927ec5eed3full,
        0x2d6ca75898cdff92ull, 0xaf7db32422349c94ull, 0x1d97a9f2b5a8aaf5ull, 0x9f86bd8e0f51c9f3ull,
        0x4c9aba0cc207555cull, 0xce8bae7078fe365aull, 0x7c61b4a6ef62003bull, 0xfe70a0da559b633dull,
        0xee809df02d58aa0eull, 0x6c91898c97a1c908ull, 0xde7b935a003dff69ull, 0x5c6a8726bac49c6full,
        0x8f7680a4779200c0ull, 0x0d6794d8cd6b63c6ull, 0xbf8d8e0e5af755a7ull, 0x3d9c9a72e00e36a1ull,
        0x9e6df45aab70c7c1ull, 0x1c7ce0261189a4c7ull, 0xae96faf0861592a6ull, 0x2c87ee8c3cecf1a0ull,
        0xff9be90ef1ba6d0full, 0x7d8afd724b430e09ull, 0xcf60e7a4dcdf3868ull, 0x4d71f3d866265b6eull,
        0x5d81cef21ee5925dull, 0xdf90da8ea41cf15bull, 0x6d7ac0583380c73aull, 0xef6bd4248979a43cull,
        0x3c77d3a6442f3893ull, 0xbe66c7dafed65b95ull, 0x0c8cdd0c694a6df4ull, 0x8e9dc970d3b30ef2ull,
        0xda0027a1d8fbdbc5ull, 0x581133dd6202b8c3ull, 0xeafb290bf59e8ea2ull, 0x68ea3d774f67eda4ull,
        0xbbf63af58231710bull, 0x39e72e8938c8120dull, 0x8b0d345faf54246cull, 0x091c202315ad476aull,
        0x19ec1d096d6e8e59ull, 0x9bfd0975d797ed5full, 0x291713a3400bdb3eull, 0xab0607dffaf2b838ull,
        0x781a005d37a42497ull, 0xfa0b14218d5d4791ull, 0x48e10ef71ac171f0ull, 0xcaf01a8ba03812f6ull,
        0x690174a3eb46e396ull, 0xeb1060df51bf8090ull, 0x59fa7a09c623b6f1ull, 0xdbeb6e757cdad5f7ull,
        0x08f769f7b18c4958ull, 0x8ae67d8b0b752a5eull, 0x380c675d9ce91c3full, 0xba1d732126107f39ull,
        0xaaed4e0b5ed3b60aull, 0x28fc5a77e42ad50cull, 0x9a1640a173b6e36dull, 0x180754ddc94f806bull,
        0xcb1b535f04191cc4ull, 0x490a4723bee07fc2ull, 0xfbe05df5297c49a3ull, 0x79f1498993852aa5ull,
        0x88dba7f6e7163808ull, 0x0acab38a5def5b0eull, 0xb820a95cca736d6full, 0x3a31bd20708a0e69ull,
        0xe92dbaa2bddc92c6ull, 0x6b3caede0725f1c0ull, 0xd9d6b40890b9c7a1ull, 0x5bc7a0742a40a4a7ull,
        0x4b379d5e52836d94ull, 0xc9268922e87a0e92ull, 0x7bcc93f47fe638f3ull, 0xf9dd8788c51f5bf5ull,
        0x2ac1800a0849c75aull, 0xa8d09476b2b0a45cull, 0x1a3a8ea0252c923dull, 0x982b9adc9fd5f13bull,
        0x3bdaf4f4d4ab005bull, 0xb9cbe0886e52635dull, 0x0b21fa5ef9ce553cull, 0x8930ee224337363aull,
        0x5a2ce9a08e61aa95ull, 0xd83dfddc3498c993ull, 0x6ad7e70aa304fff2ull, 0xe8c6f37619fd9cf4ull,
        0xf836ce5c613e55c7ull, 0x7a27da20dbc736c1ull, 0xc8cdc0f64c5b00a0ull, 0x4adcd48af6a263a6ull,
        0x99c0d3083bf4ff09ull, 0x1bd1c774810d9c0full, 0xa93bdda21691aa6eull, 0x2b2ac9deac68c968ull,
    },
    {
        0x0000000000000000ull, 0x373d15f784905d1eull, 0x6e7a2bef0920ba3cull, 0x59473e188db0e722ull,
        0xdcf457de12417478ull, 0xebc9422996d12966ull, 0xb28e7c311b61ce44ull, 0x85b369c69ff1935aull,
        0x8d3189ef7c157b9bull, 0xba0c9c18f8852685ull, 0xe34ba2007535c1a7ull, 0xd476b7f7f1a59cb9ull,
        0x51c5de316e540fe3ull, 0x66f8cbc6eac452fdull, 0x3fbff5de6774b5dfull, 0x0882e029e3e4e8c1ull,
        0x2eba358da0bd645dull, 0x1987207a242d3943ull, 0x40c01e62a99dde61ull, 0x77fd0b952d0d837full,
        0xf24e6253b2fc1025ull, 0xc57377a4366c4d3bull, 0x9c3449bcbbdcaa19ull, 0xab095c4b3f4cf707ull,
        0xa38bbc62dca81fc6ull, 0x94b6a995583842d8ull, 0xcdf1978dd588a5faull, 0xfacc827a5118f8e4ull,
        0x7f7febbccee96bbeull, 0x4842fe4b4a7936a0ull, 0x1105c053c7c9d182ull, 0x2638d5a443598c9cull,
        0x5d746b1b417ac8baull, 0x6a497eecc5ea95a4ull, 0x330e40f4485a7286ull, 0x04335503ccca2f98ull,
        0x81803cc5533bbcc2ull, 0xb6bd2932d7abe1dcull, 0xeffa172a5a1b06feull, 0xd8c702ddde8b5be0ull,
        0xd045e2f43d6fb321ull, 0xe778f703b9ffee3full, 0xbe3fc91b344f091dull, 0x8902dcecb0df5403ull,
        0x0cb1b52a2f2ec759ull, 0x3b8ca0ddabbe9a47ull, 0x62cb9ec5260e7d65ull, 0x55f68b32a29e207bull,
        0x73ce5e96e1c7ace7ull, 0x44f34b616557f1f9ull, 0x1db47579e8e716dbull, 0x2a89608e6c774bc5ull,
        0xaf3a0948f386d89full, 0x98071cbf77168581ull, 0xc14022a7faa662a3ull, 0xf67d37507e363fbdull,
        0xfeffd7799dd2d77cull, 0xc9c2c28e19428a62ull, 0x9085fc9694f26d40ull, 0xa7b8e9611062305eull,
        0x220b80a78f93a304ull, 0x153695500b03fe1aull, 0x4c71ab4886b31938ull, 0x7b4cbebf02234426ull,
        0xbae8d63682f59174ull, 0x8dd5c3c10665cc6aull, 0xd492fdd98bd52b48ull, 0xe3afe82e0f457656ull,
        0x661c81e890b4e50cull, 0x5121941f1424b812ull, 0x0866aa0799945f30ull, 0x3f5bbff01d04022eull,
        0x37d95fd9fee0eaefull, 0x00e44a2e7a70b7f1ull, 0x59a37436f7c050d3ull, 0x6e9e61c173500dcdull,
        0xeb2d0807eca19e97ull, 0xdc101df06831c389ull, 0x855723e8e58124abull, 0xb26a361f611179b5ull,
        0x9452e3bb2248f529ull, 0xa36ff64ca6d8a837ull, 0xfa28c8542b684f15ull, 0xcd15dda3aff8120bull,
        0x48a6b46530098151ull, 0x7f9ba192b499dc4full, 0x26dc9f8a39293b6dull, 0x11e18a7dbdb96673ull,
        0x19636a545e5d8eb2ull, 0x2e5e7fa3dacdd3acull, 0x771941bb577d348eull, 0x4024544cd3ed6990ull,
        0xc5973d8a4c1cfacaull, 0xf2aa287dc88ca7d4ull, 0xabed1665453c40f6ull, 0x9cd00392c1ac1de8ull,
        0xe79cbd2dc38f59ceull, 0xd0a1a8da471f04d0ull, 0x89e696c2caafe3f2ull, 0xbedb83354e3fbeecull,
        0x3b68eaf3d1ce2db6ull, 0x0c55ff04555e70a8ull, 0x5512c11cd8ee978aull, 0x622fd4eb5c7eca94ull,
        0x6aad34c2bf9a2255ull, 0x5d9021353b0a7f4bull, 0x04d71f2db6ba9869ull, 0x33ea0ada322ac577ull,
        0xb659631caddb562dull, 0x816476eb294b0b33ull, 0xd82348f3a4fbec11ull, 0xef1e5d04206bb10full,
        0xc92688a063323d93ull, 0xfe1b9d57e7a2608dull, 0xa75ca34f6a1287afull, 0x9061b6b8ee82dab1ull,
        0x15d2df7e717349ebull, 0x22efca89f5e314f5ull, 0x7ba8f4917853f3d7ull, 0x4c95e166fcc3aec9ull,
        0x4417014f1f274608ull, 0x732a14b89bb71b16ull, 0x2a6d2aa01607fc34ull, 0x1d503f579297a12aull,
        0x98e356910d663270ull, 0xafde436689f66f6eull, 0xf6997d7e0446884cull, 0xc1a4688980d6d552ull,
        0x41088a3e5d7cb183ull, 0x76359fc9d9ecec9dull, 0x2f72a1d1545c0bbfull, 0x184fb426d0cc56a1ull,
        0x9dfcdde04f3dc5fbull, 0xaac1c817cbad98e5ull, 0xf386f60f461d7fc7ull, 0xc4bbe3f8c28d22d9ull,
        0xcc3903d12169ca18ull, 0xfb041626a5f99706ull, 0xa243283e28497024ull, 0x957e3dc9acd92d3aull,
        0x10cd540f3328be60ull, 0x27f041f8b7b8e37eull, 0x7eb77fe03a08045cull, 0x498a6a17be985942ull,
        0x6fb2bfb3fdc1d5deull, 0x588faa44795188c0ull, 0x01c8945cf4e16fe2ull, 0x36f581ab707132fcull,
        0xb346e86def80a1a6ull, 0x847bfd9a6b10fcb8ull, 0xdd3cc382e6a01b9aull, 0xea01d67562304684ull,
        0xe283365c81d4ae45ull, 0xd5be23ab0544f35bull, 0x8cf91db388f41479ull, 0xbbc408440c644967ull,
        0x3e7761829395da3dull, 0x094a747517058723ull, 0x500d4a6d9ab56001ull, 0x67305f9a1e253d1full,
        0x1c7ce1251c067939ull, 0x2b41f4d298962427ull, 0x7206caca1526c305ull, 0x453bdf3d91b69e1bull,
        0xc088b6fb0e470d41ull, 0xf7b5a30c8ad7505full, 0xaef29d140767b77dull, 0x99cf88e383f7ea63ull,
        0x914d68ca601302a2ull, 0xa6707d3de4835fbcull, 0xff3743256933b89eull, 0xc80a56d2eda3e580ull,
        0x4db93f14725276daull, 0x7a842ae3f6c22bc4ull, 0x23c314fb7b72cce6ull, 0x14fe010cffe291f8ull,
        0x32c6d4a8bcbb1d64ull, 0x05fbc15f382b407aull, 0x5cbcff47b59ba758ull, 0x6b81eab0310bfa46ull,
        0xee328376aefa691cull, 0xd90f96812a6a3402ull, 0x8048a899a7dad320ull, 0xb775bd6e234a8e3eull,
        0xbff75d47c0ae66ffull, 0x88ca48b0443e3be1ull, 0xd18d76a8c98edcc3ull, 0xe6b0635f4d1e81ddull,
        0x63030a99d2ef1287ull, 0x543e1f6e567f4f99ull, 0x0d792176dbcfa8bbull, 0x3a4434815f5ff5a5ull,
        0xfbe05c08df8920f7ull, 0xccdd49ff5b197de9ull, 0x959a77e7d6a99acbull, 0xa2a762105239c7d5ull,
        0x27140bd6cdc8548full, 0x10291e2149580991ull, 0x496e2039c4e8eeb3ull, 0x7e5335ce4078b3adull,
        0x76d1d5e7a39c5b6cull, 0x41ecc010270c0672ull, 0x18abfe08aabce150ull, 0x2f96ebff2e2cbc4eull,
        0xaa258239b1dd2f14ull, 0x9d1897ce354d720aull, 0xc45fa9d6b8fd9528ull, 0xf362bc213c6dc836ull,
        0xd55a69857f3444aaull, 0xe2677c72fba419b4ull, 0xbb20426a7614fe96ull, 0x8c1d579df284a388ull,
        0x09ae3e5b6d7530d2ull, 0x3e932bace9e56dccull, 0x67d415b464558aeeull, 0x50e90043e0c5d7f0ull,
        0x586be06a03213f31ull, 0x6f56f59d87b1622full, 0x3611cb850a01850dull, 0x012cde728e91d813ull,
        0x849fb7b411604b49ull, 0xb3a2a24395f01657ull, 0xeae59c5b1840f175ull, 0xddd889ac9cd0ac6bull,
        0xa69437139ef3e84dull, 0x91a922e41a63b553ull, 0xc8ee1cfc97d35271ull, 0xffd3090b13430f6full,
        0x7a6060cd8cb29c35ull, 0x4d5d753a0822c12bull, 0x141a4b2285922609ull, 0x23275ed501027b17ull,
        0x2ba5befce2e693d6ull, 0x1c98ab0b6676cec8ull, 0x45df9513ebc629eaull, 0x72e280e46f5674f4ull,
        0xf751e922f0a7e7aeull, 0xc06cfcd57437bab0ull, 0x992bc2cdf9875d92ull, 0xae16d73a7d17008cull,
        0x882e029e3e4e8c10ull, 0xbf131769baded10eull, 0xe6542971376e362cull, 0xd1693c86b3fe6b32ull,
        0x54da55402c0ff868ull, 0x63e740b7a89fa576ull, 0x3aa07eaf252f4254ull, 0x0d9d6b58a1bf1f4aull,
        0x051f8b71425bf78bull, 0x32229e86c6cbaa95ull, 0x6b65a09e4b7b4db7ull, 0x5c58b569cfeb10a9ull,
        0xd9ebdcaf501a83f3ull, 0xeed6c958d48adeedull, 0xb791f740593a39cfull, 0x80ace2b7ddaa64d1ull,
    },
    {
        0x0000000000000000ull, 0xe9742a79ef04a5d4ull, 0xe63172a0869ed8c3ull, 0x0f4558d9699a7d17ull,
        0xf8bbc31255aa22edull, 0x11cfe96bbaae8739ull, 0x1e8ab1b2d334fa2eull, 0xf7fe9bcb3c305ffaull,
        0xc5aea077f3c3d6b1ull, 0x2cda8a0e1cc77365ull, 0x239fd2d7755d0e72ull, 0xcaebf8ae9a59aba6ull,
        0x3d156365a669f45cull, 0xd461491c496d5188ull, 0xdb2411c520f72c9full, 0x32503bbccff3894bull,
        0xbf8466bcbf103e09ull, 0x56f04cc550149bddull, 0x59b5141c398ee6caull, 0xb0c13e65d68a431eull,
        0x473fa5aeeaba1ce4ull, 0xae4b8fd705beb930ull, 0xa10ed70e6c24c427ull, 0x487afd77832061f3ull,
        0x7a2ac6cb4cd3e8b8ull, 0x935eecb2a3d74d6cull, 0x9c1bb46bca4d307bull, 0x756f9e12254995afull,
        0x829105d91979ca55ull, 0x6be52fa0f67d6f81ull, 0x64a077799fe71296ull, 0x8dd45d0070e3b742ull,
        0x4bd1eb2a26b7ef79ull, 0xa2a5c153c9b34aadull, 0xade0998aa02937baull, 0x4494b3f34f2d926eull,
        0xb36a2838731dcd94ull, 0x5a1e02419c196840ull, 0x555b5a98f5831557ull, 0xbc2f70e11a87b083ull,
        0x8e7f4b5dd57439c8ull, 0x670b61243a709c1cull, 0x684e39fd53eae10bull, 0x813a1384bcee44dfull,
        0x76c4884f80de1b25ull, 0x9fb0a2366fdabef1ull, 0x90f5faef0640c3e6ull, 0x7981d096e9446632ull,
        0xf4558d9699a7d170ull, 0x1d21a7ef76a374a4ull, 0x1264ff361f3909b3ull, 0xfb10d54ff03dac67ull,
        0x0cee4e84cc0df39dull, 0xe59a64fd23095649ull, 0xeadf3c244a932b5eull, 0x03ab165da5978e8aull,
        0x31fb2de16a6407c1ull, 0xd88f07988560a215ull, 0xd7ca5f41ecfadf02ull, 0x3ebe753803fe7ad6ull,
        0xc940eef33fce252cull, 0x2034c48ad0ca80f8ull, 0x2f719c53b950fdefull, 0xc605b62a5654583bull,
        0x97a3d6544d6fdef2ull, 0x7ed7fc2da26b7b26ull, 0x7192a4f4cbf10631ull, 0x98e68e8d24f5a3e5ull,
        0x6f18154618c5fc1full, 0x866c3f3ff7c159cbull, 0x892967e69e5b24dcull, 0x605d4d9f715f8108ull,
        0x520d7623beac0843ull, 0xbb795c5a51a8ad97ull, 0xb43c04833832d080ull, 0x5d482efad7367554ull,
        0xaab6b531eb062aaeull, 0x43c29f4804028f7aull, 0x4c87c7916d98f26dull, 0xa5f3ede8829c57b9ull,
        0x2827b0e8f27fe0fbull, 0xc1539a911d7b452full, 0xce16c24874e13838ull, 0x2762e8319be59decull,
        0xd09c73faa7d5c216ull, 0x39e8598348d167c2ull, 0x36ad015a214b1ad5ull, 0xdfd92b23ce4fbf01ull,
        0xed89109f01bc364aull, 0x04fd3ae6eeb8939eull, 0x0bb8623f8722ee89ull, 0xe2cc484668264b5dull,
        0x1532d38d541614a7ull, 0xfc46f9f4bb12b173ull, 0xf303a12dd288cc64ull, 0x1a778b543d8c69b0ull,
        0xdc723d7e6bd8318bull, 0x3506170784dc945full, 0x3a434fdeed46e948ull, 0xd33765a702424c9cull,
        0x24c9fe6c3e721366ull, 0xcdbdd415d176b6b2ull, 0xc2f88cccb8eccba5ull, 0x2b8ca6b557e86e71ull,
        0x19dc9d09981be73aull, 0xf0a8b770771f42eeull, 0xffedefa91e853ff9ull, 0x1699c5d0f1819a2dull,
        0xe1675e1bcdb1c5d7ull, 0x0813746222b56003ull, 0x07562cbb4b2f1d14ull, 0xee2206c2a42bb8c0ull,
        0x63f65bc2d4c80f82ull, 0x8a8271bb3bccaa56ull, 0x85c729625256d741ull, 0x6cb3031bbd527295ull,
        0x9b4d98d081622d6full, 0x7239b2a96e6688bbull, 0x7d7cea7007fcf5acull, 0x9408c009e8f85078ull,
        0xa658fbb5270bd933ull, 0x4f2cd1ccc80f7ce7ull, 0x40698915a19501f0ull, 0xa91da36c4e91a424ull,
        0x5ee338a772a1fbdeull, 0xb79712de9da55e0aull, 0xb8d24a07f43f231dull, 0x51a6607e1b3b86c9ull,
        0x1b9e8afbc2482e8full, 0xf2eaa0822d4c8b5bull, 0xfdaff85b44d6f64cull, 0x14dbd222abd25398ull,
        0xe32549e997e20c62ull, 0x0a51639078e6a9b6ull, 0x05143b49117cd4a1ull, 0xec601130fe787175ull,
        0xde302a8c318bf83eull, 0x374400f5de8f5deaull, 0x3801582cb71520fdull, 0xd175725558118529ull,
        0x268be99e6421dad3ull, 0xcfffc3e78b257f07ull, 0xc0ba9b3ee2bf0210ull, 0x29ceb1470dbba7c4ull,
        0xa41aec477d581086ull, 0x4d6ec63e925cb552ull, 0x422b9ee7fbc6c845ull, 0xab5fb49e14c26d91ull,
        0x5ca12f5528f2326bull, 0xb5d5052cc7f697bfull, 0xba905df5ae6ceaa8ull, 0x53e4778c41684f7cull,
        0x61b44c308e9bc637ull, 0x88c06649619f63e3ull, 0x87853e9008051ef4ull, 0x6ef114e9e701bb20ull,
        0x990f8f22db31e4daull, 0x707ba55b3435410eull, 0x7f3efd825daf3c19ull, 0x964ad7fbb2ab99cdull,
        0x504f61d1e4ffc1f6ull, 0xb93b4ba80bfb6422ull, 0xb67e137162611935ull, 0x5f0a39088d65bce1ull,
        0xa8f4a2c3b155e31bull, 0x418088ba5e5146cfull, 0x4ec5d06337cb3bd8ull, 0xa7b1fa1ad8cf9e0cull,
        0x95e1c1a6173c1747ull, 0x7c95ebdff838b293ull, 0x73d0b30691a2cf84ull, 0x9aa4997f7ea66a50ull,
        0x6d5a02b4429635aaull, 0x842e28cdad92907eull, 0x8b6b7014c408ed69ull, 0x621f5a6d2b0c48bdull,
        0xefcb076d5befffffull, 0x06bf2d14b4eb5a2bull, 0x09fa75cddd71273cull, 0xe08e5fb4327582e8ull,
        0x1770c47f0e45dd12ull, 0xfe04ee06e14178c6ull, 0xf141b6df88db05d1ull, 0x18359ca667dfa005ull,
        0x2a65a71aa82c294eull, 0xc3118d6347288c9aull, 0xcc54d5ba2eb2f18dull, 0x2520ffc3c1b65459ull,
        0xd2de6408fd860ba3ull, 0x3baa4e711282ae77ull, 0x34ef16a87b18d360ull, 0xdd9b3cd1941c76b4ull,
        0x8c3d5caf8f27f07dull, 0x654976d6602355a9ull, 0x6a0c2e0f09b928beull, 0x83780476e6bd8d6aull,
        0x74869fbdda8dd290ull, 0x9df2b5c435897744ull, 0x92b7ed1d5c130a53ull, 0x7bc3c764b317af87ull,
        0x4993fcd87ce426ccull, 0xa0e7d6a193e08318ull, 0xafa28e78fa7afe0full, 0x46d6a401157e5bdbull,
        0xb1283fca294e0421ull, 0x585c15b3c64aa1f5ull, 0x57194d6aafd0dce2ull, 0xbe6d671340d47936ull,
        0x33b93a133037ce74ull, 0xdacd106adf336ba0ull, 0xd58848b3b6a916b7ull, 0x3cfc62ca59adb363ull,
        0xcb02f901659dec99ull, 0x2276d3788a99494dull, 0x2d338ba1e303345aull, 0xc447a1d80c07918eull,
        0xf6179a64c3f418c5ull, 0x1f63b01d2cf0bd11ull, 0x1026e8c4456ac006ull, 0xf952c2bdaa6e65d2ull,
        0x0eac5976965e3a28ull, 0xe7d8730f795a9ffcull, 0xe89d2bd610c0e2ebull, 0x01e901afffc4473full,
        0xc7ecb785a9901f04ull, 0x2e989dfc4694bad0ull, 0x21ddc5252f0ec7c7ull, 0xc8a9ef5cc00a6213ull,
        0x3f577497fc3a3de9ull, 0xd6235eee133e983dull, 0xd96606377aa4e52aull, 0x30122c4e95a040feull,
        0x024217f25a53c9b5ull, 0xeb363d8bb5576c61ull, 0xe4736552dccd1176ull, 0x0d074f2b33c9b4a2ull,
        0xfaf9d4e00ff9eb58ull, 0x138dfe99e0fd4e8cull, 0x1cc8a6408967339bull, 0xf5bc8c396663964full,
        0x7868d1391680210dull, 0x911cfb40f98484d9ull, 0x9e59a399901ef9ceull, 0x772d89e07f1a5c1aull,
        0x80d3122b432a03e0ull, 0x69a73852ac2ea634ull, 0x66e2608bc5b4db23ull, 0x8f964af22ab07ef7ull,
        0xbdc6714ee543f7bcull, 0x54b25b370a475268ull, 0x5bf703ee63dd2f7full, 0xb28329978cd98aabull,
        0x457db25cb0e9d551ull, 0xac0998255fed7085ull, 0xa34cc0fc36770d92ull, 0x4a38ea85d973a846ull,
    },
    {
        0x0000000000000000ull, 0xfc5d27f6bf353971ull, 0xcc6369be26fde189ull, 0x303e4e4899c8d8f8ull,
        0xac1ff52f156c5079ull, 0x5042d2d9aa596908ull, 0x607c9c913391b1f0ull, 0x9c21bb678ca48881ull,
        0x6ce6cc0d724f3399ull, 0x90bbebfbcd7a0ae8ull, 0xa085a5b354b2d210ull, 0x5cd88245eb87eb61ull,
        0xc0f93922672363e0ull, 0x3ca41ed4d8165a91ull, 0x0c9a509c41de8269ull, 0xf0c7776afeebbb18ull,
        0xd9cd981ae49e6732ull, 0x2590bfec5bab5e43ull, 0x15aef1a4c26386bbull, 0xe9f3d6527d56bfcaull,
        0x75d26d35f1f2374bull, 0x898f4ac34ec70e3aull, 0xb9b1048bd70fd6c2ull, 0x45ec237d683aefb3ull,
        0xb52b541796d154abull, 0x497673e129e46ddaull, 0x79483da9b02cb522ull, 0x85151a5f0f198c53ull,
        0x1934a13883bd04d2ull, 0xe56986ce3c883da3ull, 0xd557c886a540e55bull, 0x290aef701a75dc2aull,
        0x8742166691ab5d0full, 0x7b1f31902e9e647eull, 0x4b217fd8b756bc86ull, 0xb77c582e086385f7ull,
        0x2b5de34984c70d76ull, 0xd700c4bf3bf23407ull, 0xe73e8af7a23aecffull, 0x1b63ad011d0fd58eull,
        0xeba4da6be3e46e96ull, 0x17f9fd9d5cd157e7ull, 0x27c7b3d5c5198f1full, 0xdb9a94237a2cb66eull,
        0x47bb2f44f6883eefull, 0xbbe608b249bd079eull, 0x8bd846fad075df66ull, 0x7785610c6f40e617ull,
        0x5e8f8e7c75353a3dull, 0xa2d2a98aca00034cull, 0x92ece7c253c8dbb4ull, 0x6eb1c034ecfde2c5ull,
        0xf2907b5360596a44ull, 0x0ecd5ca5df6c5335ull, 0x3ef312ed46a48bcdull, 0xc2ae351bf991b2bcull,
        0x32694271077a09a4ull, 0xce346587b84f30d5ull, 0xfe0a2bcf2187e82dull, 0x02570c399eb2d15cull,
        0x9e76b75e121659ddull, 0x622b90a8ad2360acull, 0x5215dee034ebb854ull, 0xae48f9168bde8125ull,
        0x3a5d0a9e7bc12975ull, 0xc6002d68c4f41004ull, 0xf63e63205d3cc8fcull, 0x0a6344d6e209f18dull,
        0x9642ffb16ead790cull, 0x6a1fd847d198407dull, 0x5a21960f48509885ull, 0xa67cb1f9f765a1f4ull,
        0x56bbc693098e1aecull, 0xaae6e165b6bb239dull, 0x9ad8af2d2f73fb65ull, 0x668588db9046c214ull,
        0xfaa433bc1ce24a95ull, 0x06f9144aa3d773e4ull, 0x36c75a023a1fab1cull, 0xca9a7df4852a926dull,
        0xe39092849f5f4e47ull, 0x1fcdb572206a7736ull, 0x2ff3fb3ab9a2afceull, 0xd3aedccc069796bfull,
        0x4f8f67ab8a331e3eull, 0xb3d2405d3506274full, 0x83ec0e15acceffb7ull, 0x7fb129e313fbc6c6ull,
        0x8f765e89ed107ddeull, 0x732b797f522544afull, 0x43153737cbed9c57ull, 0xbf4810c174d8a526ull,
        0x2369aba6f87c2da7ull, 0xdf348c50474914d6ull, 0xef0ac218de81cc2eull, 0x1357e5ee61b4f55full,
        0xbd1f1cf8ea6a747aull, 0x41423b0e555f4d0bull, 0x717c7546cc9795f3ull, 0x8d2152b073a2ac82ull,
        0x1100e9d7ff062403ull, 0xed5dce2140331d72ull, 0xdd638069d9fbc58aull, 0x213ea79f66cefcfbull,
        0xd1f9d0f5982547e3ull, 0x2da4f70327107e92ull, 0x1d9ab94bbed8a66aull, 0xe1c79ebd01ed9f1bull,
        0x7de625da8d49179aull, 0x81bb022c327c2eebull, 0xb1854c64abb4f613ull, 0x4dd86b921481cf62ull,
        0x64d284e20ef41348ull, 0x988fa314b1c12a39ull, 0xa8b1ed5c2809f2c1ull, 0x54eccaaa973ccbb0ull,
        0xc8cd71cd1b984331ull, 0x3490563ba4ad7a40ull, 0x04ae18733d65a2b8ull, 0xf8f33f8582509bc9ull,
        0x083448ef7cbb20d1ull, 0xf4696f19c38e19a0ull, 0xc45721515a46c158ull, 0x380a06a7e573f829ull,
        0xa42bbdc069d770a8ull, 0x58769a36d6e249d9ull, 0x6848d47e4f2a9121ull, 0x9415f388f01fa850ull,
        0x74ba153cf78252eaull, 0x88e732ca48b76b9bull, 0xb8d97c82d17fb363ull, 0x44845b746e4a8a12ull,
        0xd8a5e013e2ee0293ull, 0x24f8c7e55ddb3be2ull, 0x14c689adc413e31aull, 0xe89bae5b7b26da6bull,
        0x185cd93185cd6173ull, 0xe401fec73af85802ull, 0xd43fb08fa33080faull, 0x286297791c05b98bull,
        0xb4432c1e90a1310aull, 0x481e0be82f94087bull, 0x782045a0b65cd083ull, 0x847d62560969e9f2ull,
        0xad778d26131c35d8ull, 0x512aaad0ac290ca9ull, 0x6114e49835e1d451ull, 0x9d49c36e8ad4ed20ull,
        0x01687809067065a1ull, 0xfd355fffb9455cd0ull, 0xcd0b11b7208d8428ull, 0x315636419fb8bd59ull,
        0xc191412b61530641ull, 0x3dcc66ddde663f30ull, 0x0df2289547aee7c8ull, 0xf1af0f63f89bdeb9ull,
        0x6d8eb404743f5638ull, 0x91d393f2cb0a6f49ull, 0xa1edddba52c2b7b1ull, 0x5db0fa4cedf78ec0ull,
        0xf3f8035a66290fe5ull, 0x0fa524acd91c3694ull, 0x3f9b6ae440d4ee6cull, 0xc3c64d12ffe1d71dull,
        0x5fe7f67573455f9cull, 0xa3bad183cc7066edull, 0x93849fcb55b8be15ull, 0x6fd9b83dea8d8764ull,
        0x9f1ecf5714663c7cull, 0x6343e8a1ab53050dull, 0x537da6e9329bddf5ull, 0xaf20811f8daee484ull,
        0x33013a78010a6c05ull, 0xcf5c1d8ebe3f5574ull, 0xff6253c627f78d8cull, 0x033f743098c2b4fdull,
        0x2a359b4082b768d7ull, 0xd668bcb63d8251a6ull, 0xe656f2fea44a895eull, 0x1a0bd5081b7fb02full,
        0x862a6e6f97db38aeull, 0x7a77499928ee01dfull, 0x4a4907d1b126d927ull, 0xb61420270e13e056ull,
        0x46d3574df0f85b4eull, 0xba8e70bb4fcd623full, 0x8ab03ef3d605bac7ull, 0x76ed1905693083b6ull,
        0xeacca262e5940b37ull, 0x169185945aa13246ull, 0x26afcbdcc369eabeull, 0xdaf2ec2a7c5cd3cfull,
        0x4ee71fa28c437b9full, 0xb2ba3854337642eeull, 0x8284761caabe9a16ull, 0x7ed951ea158ba367ull,
        0xe2f8ea8d992f2be6ull, 0x1ea5cd7b261a1297ull, 0x2e9b8333bfd2ca6full, 0xd2c6a4c500e7f31eull,
        0x2201d3affe0c4806ull, 0xde5cf45941397177ull, 0xee62ba11d8f1a98full, 0x123f9de767c490feull,
        0x8e1e2680eb60187full, 0x724301765455210eull, 0x427d4f3ecd9df9f6ull, 0xbe2068c872a8c087ull,
        0x972a87b868dd1cadull, 0x6b77a04ed7e825dcull, 0x5b49ee064e20fd24ull, 0xa714c9f0f115c455ull,
        0x3b3572977db14cd4ull, 0xc7685561c28475a5ull, 0xf7561b295b4cad5dull, 0x0b0b3cdfe479942cull,
        0xfbcc4bb51a922f34ull, 0x07916c43a5a71645ull, 0x37af220b3c6fcebdull, 0xcbf205fd835af7ccull,
        0x57d3be9a0ffe7f4dull, 0xab8e996cb0cb463cull, 0x9bb0d72429039ec4ull, 0x67edf0d29636a7b5ull,
        0xc9a509c41de82690ull, 0x35f82e32a2dd1fe1ull, 0x05c6607a3b15c719ull, 0xf99b478c8420fe68ull,
        0x65bafceb088476e9ull, 0x99e7db1db7b14f98ull, 0xa9d995552e799760ull, 0x5584b2a3914cae11ull,
        0xa543c5c96fa71509ull, 0x591ee23fd0922c78ull, 0x6920ac77495af480ull, 0x957d8b81f66fcdf1ull,
        0x095c30e67acb4570ull, 0xf5011710c5fe7c01ull, 0xc53f59585c36a4f9ull, 0x39627eaee3039d88ull,
        0x106891def97641a2ull, 0xec35b628464378d3ull, 0xdc0bf860df8ba02bull, 0x2056df9660be995aull,
        0xbc7764f1ec1a11dbull, 0x402a4307532f28aaull, 0x70140d4fcae7f052ull, 0x8c492ab975d2c923ull,
        0x7c8e5dd38b39723bull, 0x80d37a25340c4b4aull, 0xb0ed346dadc493b2ull, 0x4cb0139b12f1aac3ull,
        0xd091a8fc9e552242ull, 0x2ccc8f0a21601b33ull, 0x1cf2c142b8a8c3cbull, 0xe0afe6b4079dfabaull,
    },
    {
        0x0000000000000000ull, 0x21e9761e252621acull, 0x43d2ec3c4a4c4358ull, 0x623b9a226f6a62f4ull,
        0x87a5d878949886b0ull, 0xa64cae66b1bea71cull, 0xc4773444ded4c5e8ull, 0xe59e425afbf2e444ull,
        0x3b9296a271a69e0bull, 0x1a7be0bc5480bfa7ull, 0x78407a9e3beadd53ull, 0x59a90c801eccfcffull,
        0xbc374edae53e18bbull, 0x9dde38c4c0183917ull, 0xffe5a2e6af725be3ull, 0xde0cd4f88a547a4full,
        0x77252d44e34d3c16ull, 0x56cc5b5ac66b1dbaull, 0x34f7c178a9017f4eull, 0x151eb7668c275ee2ull,
        0xf080f53c77d5baa6ull, 0xd169832252f39b0aull, 0xb35219003d99f9feull, 0x92bb6f1e18bfd852ull,
        0x4cb7bbe692eba21dull, 0x6d5ecdf8b7cd83b1ull, 0x0f6557dad8a7e145ull, 0x2e8c21c4fd81c0e9ull,
        0xcb12639e067324adull, 0xeafb158023550501ull, 0x88c08fa24c3f67f5ull, 0xa929f9bc69194659ull,
        0xee4a5a89c69a782cull, 0xcfa32c97e3bc5980ull, 0xad98b6b58cd63b74ull, 0x8c71c0aba9f01ad8ull,
        0x69ef82f15202fe9cull, 0x4806f4ef7724df30ull, 0x2a3d6ecd184ebdc4ull, 0x0bd418d33d689c68ull,
        0xd5d8cc2bb73ce627ull, 0xf431ba35921ac78bull, 0x960a2017fd70a57full, 0xb7e35609d85684d3ull,
        0x527d145323a46097ull, 0x7394624d0682413bull, 0x11aff86f69e823cfull, 0x30468e714cce0263ull,
        0x996f77cd25d7443aull, 0xb88601d300f16596ull, 0xdabd9bf16f9b0762ull, 0xfb54edef4abd26ceull,
        0x1ecaafb5b14fc28aull, 0x3f23d9ab9469e326ull, 0x5d184389fb0381d2ull, 0x7cf13597de25a07eull,
        0xa2fde16f5471da31ull, 0x831497717157fb9dull, 0xe12f0d531e3d9969ull, 0xc0c67b4d3b1bb8c5ull,
        0x25583917c0e95c81ull, 0x04b14f09e5cf7d2dull, 0x668ad52b8aa51fd9ull, 0x4763a335af833e75ull,
        0xe84d9340d5a36333ull, 0xc9a4e55ef085429full, 0xab9f7f7c9fef206bull, 0x8a760962bac901c7ull,
        0x6fe84b38413be583ull, 0x4e013d26641dc42full, 0x2c3aa7040b77a6dbull, 0x0dd3d11a2e518777ull,
        0xd3df05e2a405fd38ull, 0xf23673fc8123dc94ull, 0x900de9deee49be60ull, 0xb1e49fc0cb6f9fccull,
        0x547add9a309d7b88ull, 0x7593ab8415bb5a24ull, 0x17a831a67ad138d0ull, 0x364147b85ff7197cull,
        0x9f68be0436ee5f25ull, 0xbe81c81a13c87e89ull, 0xdcba52387ca21c7dull, 0xfd53242659843dd1ull,
        0x18cd667ca276d995ull, 0x392410628750f839ull, 0x5b1f8a40e83a9acdull, 0x7af6fc5ecd1cbb61ull,
        0xa4fa28a64748c12eull, 0x85135eb8626ee082ull, 0xe728c49a0d048276ull, 0xc6c1b2842822a3daull,
        0x235ff0ded3d0479eull, 0x02b686c0f6f66632ull, 0x608d1ce2999c04c6ull, 0x41646afcbcba256aull,
        0x0607c9c913391b1full, 0x27eebfd7361f3ab3ull, 0x45d525f559755847ull, 0x643c53eb7c5379ebull,
        0x81a211b187a19dafull, 0xa04b67afa287bc03ull, 0xc270fd8dcdeddef7ull, 0xe3998b93e8cbff5bull,
        0x3d955f6b629f8514ull, 0x1c7c297547b9a4b8ull, 0x7e47b35728d3c64cull, 0x5faec5490df5e7e0ull,
        0xba308713f60703a4ull, 0x9bd9f10dd3212208ull, 0xf9e26b2fbc4b40fcull, 0xd80b1d31996d6150ull,
        0x7122e48df0742709ull, 0x50cb9293d55206a5ull, 0x32f008b1ba386451ull, 0x13197eaf9f1e45fdull,
        0xf6873cf564eca1b9ull, 0xd76e4aeb41ca8015ull, 0xb555d0c92ea0e2e1ull, 0x94bca6d70b86c34dull,
        0x4ab0722f81d2b902ull, 0x6b590431a4f498aeull, 0x09629e13cb9efa5aull, 0x288be80deeb8dbf6ull,
        0xcd15aa57154a3fb2ull, 0xecfcdc49306c1e1eull, 0x8ec7466b5f067ceaull, 0xaf2e30757a205d46ull,
        0xe44200d2f3d1550dull, 0xc5ab76ccd6f774a1ull, 0xa790eceeb99d1655ull, 0x86799af09cbb37f9ull,
        0x63e7d8aa6749d3bdull, 0x420eaeb4426ff211ull, 0x203534962d0590e5ull, 0x01dc42880823b149ull,
        0xdfd096708277cb06ull, 0xfe39e06ea751eaaaull, 0x9c027a4cc83b885eull, 0xbdeb0c52ed1da9f2ull,
        0x58754e0816ef4db6ull, 0x799c381633c96c1aull, 0x1ba7a2345ca30eeeull, 0x3a4ed42a79852f42ull,
        0x93672d96109c691bull, 0xb28e5b8835ba48b7ull, 0xd0b5c1aa5ad02a43ull, 0xf15cb7b47ff60befull,
        0x14c2f5ee8404efabull, 0x352b83f0a122ce07ull, 0x571019d2ce48acf3ull, 0x76f96fcceb6e8d5full,
        0xa8f5bb34613af710ull, 0x891ccd2a441cd6bcull, 0xeb2757082b76b448ull, 0xcace21160e5095e4ull,
        0x2f50634cf5a271a0ull, 0x0eb91552d084500cull, 0x6c828f70bfee32f8ull, 0x4d6bf96e9ac81354ull,
        0x0a085a5b354b2d21ull, 0x2be12c45106d0c8dull, 0x49dab6677f076e79ull, 0x6833c0795a214fd5ull,
        0x8dad8223a1d3ab91ull, 0xac44f43d84f58a3dull, 0xce7f6e1feb9fe8c9ull, 0xef961801ceb9c965ull,
        0x319accf944edb32aull, 0x1073bae761cb9286ull, 0x724820c50ea1f072ull, 0x53a156db2b87d1deull,
        0xb63f1481d075359aull, 0x97d6629ff5531436ull, 0xf5edf8bd9a3976c2ull, 0xd4048ea3bf1f576eull,
        0x7d2d771fd6061137ull, 0x5cc40101f320309bull, 0x3eff9b239c4a526full, 0x1f16ed3db96c73c3ull,
        0xfa88af67429e9787ull, 0xdb61d97967b8b62bull, 0xb95a435b08d2d4dfull, 0x98b335452df4f573ull,
        0x46bfe1bda7a08f3cull, 0x675697a38286ae90ull, 0x056d0d81edeccc64ull, 0x24847b9fc8caedc8ull,
        0xc11a39c53338098cull, 0xe0f34fdb161e2820ull, 0x82c8d5f979744ad4ull, 0xa321a3e75c526b78ull,
        0x0c0f93922672363eull, 0x2de6e58c03541792ull, 0x4fdd7fae6c3e7566ull, 0x6e3409b0491854caull,
        0x8baa4beab2eab08eull, 0xaa433df497cc9122ull, 0xc878a7d6f8a6f3d6ull, 0xe991d1c8dd80d27aull,
        0x379d053057d4a835ull, 0x1674732e72f28999ull, 0x744fe90c1d98eb6dull, 0x55a69f1238becac1ull,
        0xb038dd48c34c2e85ull, 0x91d1ab56e66a0f29ull, 0xf3ea317489006dddull, 0xd203476aac264c71ull,
        0x7b2abed6c53f0a28ull, 0x5ac3c8c8e0192b84ull, 0x38f852ea8f734970ull, 0x191124f4aa5568dcull,
        0xfc8f66ae51a78c98ull, 0xdd6610b07481ad34ull, 0xbf5d8a921bebcfc0ull, 0x9eb4fc8c3ecdee6cull,
        0x40b82874b4999423ull, 0x61515e6a91bfb58full, 0x036ac448fed5d77bull, 0x2283b256dbf3f6d7ull,
        0xc71df00c20011293ull, 0xe6f486120527333full, 0x84cf1c306a4d51cbull, 0xa5266a2e4f6b7067ull,
        0xe245c91be0e84e12ull, 0xc3acbf05c5ce6fbeull, 0xa1972527aaa40d4aull, 0x807e53398f822ce6ull,
        0x65e011637470c8a2ull, 0x4409677d5156e90eull, 0x2632fd5f3e3c8bfaull, 0x07db8b411b1aaa56ull,
        0xd9d75fb9914ed019ull, 0xf83e29a7b468f1b5ull, 0x9a05b385db029341ull, 0xbbecc59bfe24b2edull,
        0x5e7287c105d656a9ull, 0x7f9bf1df20f07705ull, 0x1da06bfd4f9a15f1ull, 0x3c491de36abc345dull,
        0x9560e45f03a57204ull, 0xb4899241268353a8ull, 0xd6b2086349e9315cull, 0xf75b7e7d6ccf10f0ull,
        0x12c53c27973df4b4ull, 0x332c4a39b21bd518ull, 0x5117d01bdd71b7ecull, 0x70fea605f8579640ull,
        0xaef272fd7203ec0full, 0x8f1b04e35725cda3ull, 0xed209ec1384faf57ull, 0xccc9e8df1d698efbull,
        0x2957aa85e69b6abfull, 0x08bedc9bc3bd4b13ull, 0x6a8546b9acd729e7ull, 0x4b6c30a789f1084bull,
    },
};

static uint64_t crc64nvme_update(uint64_t crc, const unsigned char *p, size_t n)
{
    while (n >= 8) {
        /* Little-endian assembly regardless of host order: the reflected CRC
         * consumes the first byte in the register's low bits. */
        uint64_t w = (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
                     (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
                     (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
        crc ^= w;
        crc = crc64nvme_table[7][crc & 0xff] ^ crc64nvme_table[6][(crc >> 8) & 0xff] ^
              crc64nvme_table[5][(crc >> 16) & 0xff] ^ crc64nvme_table[4][(crc >> 24) & 0xff] ^
              crc64nvme_table[3][(crc >> 32) & 0xff] ^ crc64nvme_table[2][(crc >> 40) & 0xff] ^
              crc64nvme_table[1][(crc >> 48) & 0xff] ^ crc64nvme_table[0][crc >> 56];
        p += 8;
        n -= 8;
    }
    while (n--)
        crc = crc64nvme_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return crc;
}

/* crc32_iscsi takes an int length and a non-const buffer (it does not write
 * to it); feed it in pieces that fit an int. Register in, register out: no
 * init or xorout here, the caller applies them once per message. */
static uint32_t crc32c_update(uint32_t reg, const unsigned char *p, size_t n)
{
    while (n > 0) {
        size_t piece = n > (size_t)1 << 30 ? (size_t)1 << 30 : n;
        reg = crc32_iscsi((unsigned char *)p, (int)piece, reg);
        p += piece;
        n -= piece;
    }
    return reg;
}

uint32_t cksum_crc32(const void *p, size_t n)
{
    /* crc32_gzip_refl applies init and xorout itself and takes the previous
     * finished value to continue, so 0 starts a message. */
    return crc32_gzip_refl(0, p, n);
}

uint32_t cksum_crc32c(const void *p, size_t n)
{
    return crc32c_update(0xffffffffu, p, n) ^ 0xffffffffu;
}

uint64_t cksum_crc64nvme(const void *p, size_t n)
{
    return crc64nvme_update(~(uint64_t)0, p, n) ^ ~(uint64_t)0;
}

static const struct {
    cksum_algo algo;
    const char *name;
    const char *header;
} algo_names[] = {
    {CKSUM_CRC32, "CRC32", "x-amz-checksum-crc32"},
    {CKSUM_CRC32C, "CRC32C", "x-amz-checksum-crc32c"},
    {CKSUM_CRC64NVME, "CRC64NVME", "x-amz-checksum-crc64nvme"},
    {CKSUM_SHA1, "SHA1", "x-amz-checksum-sha1"},
    {CKSUM_SHA256, "SHA256", "x-amz-checksum-sha256"},
};

cksum_algo cksum_algo_from_name(const char *s)
{
    if (!s)
        return CKSUM_NONE;
    for (size_t i = 0; i < sizeof algo_names / sizeof algo_names[0]; i++)
        if (strcasecmp(s, algo_names[i].name) == 0)
            return algo_names[i].algo;
    return CKSUM_NONE;
}

cksum_algo cksum_algo_from_header(const char *header_name)
{
    if (!header_name)
        return CKSUM_NONE;
    for (size_t i = 0; i < sizeof algo_names / sizeof algo_names[0]; i++)
        if (strcasecmp(header_name, algo_names[i].header) == 0)
            return algo_names[i].algo;
    return CKSUM_NONE;
}

const char *cksum_algo_header(cksum_algo a)
{
    for (size_t i = 0; i < sizeof algo_names / sizeof algo_names[0]; i++)
        if (algo_names[i].algo == a)
            return algo_names[i].header;
    return NULL;
}

const char *cksum_algo_name(cksum_algo a)
{
    for (size_t i = 0; i < sizeof algo_names / sizeof algo_names[0]; i++)
        if (algo_names[i].algo == a)
            return algo_names[i].name;
    return NULL;
}

size_t cksum_digest_len(cksum_algo a)
{
    switch (a) {
    case CKSUM_CRC32:
    case CKSUM_CRC32C: return 4;
    case CKSUM_CRC64NVME: return 8;
    case CKSUM_SHA1: return 20;
    case CKSUM_SHA256: return 32;
    case CKSUM_MD5: return 16;
    case CKSUM_NONE: break;
    }
    return 0;
}

static const EVP_MD *evp_md_of(cksum_algo a)
{
    switch (a) {
    case CKSUM_SHA1: return EVP_sha1();
    case CKSUM_SHA256: return EVP_sha256();
    case CKSUM_MD5: return EVP_md5();
    default: return NULL;
    }
}

int cksum_init(cksum_ctx *c, cksum_algo a)
{
    memset(c, 0, sizeof *c);
    switch (a) {
    case CKSUM_CRC32: c->u.crc32 = 0; break;
    case CKSUM_CRC32C: c->u.crc32 = 0xffffffffu; break;
    case CKSUM_CRC64NVME: c->u.crc64 = ~(uint64_t)0; break;
    case CKSUM_SHA1:
    case CKSUM_SHA256:
    case CKSUM_MD5: {
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        if (!md)
            return -1;
        if (EVP_DigestInit_ex(md, evp_md_of(a), NULL) != 1) {
            EVP_MD_CTX_free(md);
            return -1;
        }
        c->u.md = md;
        break;
    }
    case CKSUM_NONE:
    default: return -1;
    }
    c->algo = a;
    return 0;
}

void cksum_update(cksum_ctx *c, const void *p, size_t n)
{
    if (n == 0)
        return;
    switch (c->algo) {
    case CKSUM_CRC32: c->u.crc32 = crc32_gzip_refl(c->u.crc32, p, n); break;
    case CKSUM_CRC32C: c->u.crc32 = crc32c_update(c->u.crc32, p, n); break;
    case CKSUM_CRC64NVME: c->u.crc64 = crc64nvme_update(c->u.crc64, p, n); break;
    case CKSUM_SHA1:
    case CKSUM_SHA256:
    case CKSUM_MD5:
        if (c->u.md)
            EVP_DigestUpdate(c->u.md, p, n);
        break;
    case CKSUM_NONE: break;
    }
}

static void put_be(unsigned char *out, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (unsigned char)(v >> (8 * (n - 1 - i)));
}

size_t cksum_final_raw(cksum_ctx *c, unsigned char *out, size_t cap)
{
    size_t len = cksum_digest_len(c->algo);
    if (len == 0 || cap < len)
        return 0;
    switch (c->algo) {
    case CKSUM_CRC32: put_be(out, c->u.crc32, 4); break;
    case CKSUM_CRC32C: put_be(out, c->u.crc32 ^ 0xffffffffu, 4); break;
    case CKSUM_CRC64NVME: put_be(out, c->u.crc64 ^ ~(uint64_t)0, 8); break;
    case CKSUM_SHA1:
    case CKSUM_SHA256:
    case CKSUM_MD5: {
        unsigned int got = 0;
        if (!c->u.md || EVP_DigestFinal_ex(c->u.md, out, &got) != 1 || got != len)
            return 0;
        break;
    }
    case CKSUM_NONE: return 0;
    }
    return len;
}

size_t cksum_final_base64(cksum_ctx *c, char *out, size_t cap)
{
    unsigned char digest[CKSUM_MAX_DIGEST];
    size_t len = cksum_final_raw(c, digest, sizeof digest);
    if (len == 0)
        return 0;
    return b64_encode(digest, len, out, cap);
}

void cksum_free(cksum_ctx *c)
{
    if ((c->algo == CKSUM_SHA1 || c->algo == CKSUM_SHA256 || c->algo == CKSUM_MD5) && c->u.md) {
        EVP_MD_CTX_free(c->u.md);
        c->u.md = NULL;
    }
}

/* ---- combining CRCs of concatenated data ----
 *
 * For a reflected CRC whose init and xorout are equal (all three here),
 * crc(A || B) = crc(A) * x^(8 |B|) mod P  xor  crc(B), computed in the
 * reflected representation (bit w-1 is the x^0 coefficient).  This is how
 * a FULL_OBJECT checksum of a multipart object comes from its parts'
 * checksums without reading the data again. */

static uint64_t gf2_multmodp(uint64_t a, uint64_t b, uint64_t poly, int width)
{
    uint64_t top = (uint64_t)1 << (width - 1), prod = 0;
    for (uint64_t m = top; m; m >>= 1) {
        if (a & m) prod ^= b;
        b = (b & 1) ? (b >> 1) ^ poly : b >> 1;   /* b *= x */
    }
    return prod;
}

/* x^(8n) mod P by square-and-multiply. */
static uint64_t gf2_x8n(uint64_t n, uint64_t poly, int width)
{
    uint64_t one = (uint64_t)1 << (width - 1);
    uint64_t result = one, base = one >> 8;    /* x^8 */
    while (n) {
        if (n & 1) result = gf2_multmodp(result, base, poly, width);
        base = gf2_multmodp(base, base, poly, width);
        n >>= 1;
    }
    return result;
}

uint64_t cksum_crc_combine(cksum_algo a, uint64_t crc1, uint64_t crc2, uint64_t len2)
{
    uint64_t poly;
    int width;
    switch (a) {
    case CKSUM_CRC32: poly = 0xedb88320u; width = 32; break;
    case CKSUM_CRC32C: poly = 0x82f63b78u; width = 32; break;
    case CKSUM_CRC64NVME: poly = 0x9a6c9329ac4bc9b5ull; width = 64; break;
    default: return 0;
    }
    return gf2_multmodp(gf2_x8n(len2, poly, width), crc1, poly, width) ^ crc2;
}
