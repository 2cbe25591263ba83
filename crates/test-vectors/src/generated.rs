//! Written by `gen_keys.py` (see the crate documentation); do not edit by hand.

use crate::hex;

/// SHA-256 DigestInfo of the benchmark input (what GnuPG sends to PSO:CDS for RSA).
pub const DIGEST_INFO: &[u8] = &hex::<51>(concat!(
    "3031300d0609608648016503040201050004205f478d19945e371ed38bd65b5c5c2b59726971c8b1357d3caea8ed3093",
    "b8b70f",
));
/// SHA-256 of the benchmark input (ECDSA on 256-bit curves, and the EdDSA message).
pub const HASH32: &[u8] =
    &hex::<32>("5f478d19945e371ed38bd65b5c5c2b59726971c8b1357d3caea8ed3093b8b70f");
/// SHA-384 of the benchmark input (ECDSA on P-384).
pub const HASH48: &[u8] = &hex::<48>("45f7180c003df3d790768f8879bdb19f8704ecf16f499666fb95c45438b8780dbaa7fa368f59b2e6992726121f171a8f");
/// The plaintext of every RSA cryptogram below.
pub const SESSION_KEY: &[u8] =
    &hex::<35>("09202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f1234");
/// RSA-2048, e = 65537: first prime.
pub const RSA2048_P: &[u8] = &hex::<128>(concat!(
    "f56bfa1578da44e2a886348ba291563a4d58830e76d4b8ce4da3cd25c6d0205e7978dd43f95c62aa8725df02cfe209a3",
    "53eae67f030220add6e75fcbb5d01131f61dfb0b1017a88e09c7a9d1e732751ae1d32813732a1a155d478b9d5699139f",
    "1902d102d2671ac78d36a5f979bc58a1f9ce105c969f8365852e815696699dc1",
));
/// RSA-2048: second prime.
pub const RSA2048_Q: &[u8] = &hex::<128>(concat!(
    "c705ea230d6eb97c61f08e0e32c57dfca475c2ad60d9049ed315a5cd8ab2f484978c7f30bf02dd61f9c6f90f32634b16",
    "31c67e2fbccacc766928f9f6a100e5bd3397260d9e3cb3bd54faea0eeb14ae199c93fff8dc2b990f15c40532888db340",
    "79db7cf653167db3e98b3f57d7687f2a3bcc9c783a595faf254ecf180d5dad77",
));
/// RSA-2048: modulus.
pub const RSA2048_N: &[u8] = &hex::<256>(concat!(
    "becc9af8e0987b21648467b0c2265f1e11deae93cea081a0749f048e96378742ac79d2d1d42f1f72a2a3c00a7a80ec06",
    "0ab218844334b4bae71a501a8b9386e514908b83b12433e58d058232893e622c535812b289b19e83138e983d76698c4e",
    "0b14097825e2525bba694b0bbbfbff8784be3a092ddc30a83bb265ba8a8ed210256992835c8bdcab1fd9bd7e0b8348ff",
    "80d52a92381fc1ce2ca4eb2a49b1f6fd194c95e27338e72527b051108bcc1c20f5bde1286ab26f36f00b7d215b1cec55",
    "f9b1ef3a31a994ca3df12aedc5807940cb27757c5e64352238908e6d0e6cc11839cf603c29b1c56814a52651950cc695",
    "c4ea06744c7d1f4f2e617d5e66d0c1b7",
));
/// RSA-2048: PKCS#1 v1.5 signature over `DIGEST_INFO`.
pub const RSA2048_SIGNATURE: &[u8] = &hex::<256>(concat!(
    "a8abefade6dedb13071398630c4df191ab26ddaadea1fad613934be1276da07b9f19980835fc7b6caa190185becc0b38",
    "d96b7a28630db1aaa7710aecbfefe8df2d570b2c262c04a73b1c883b2344ce805c80e6d7ef0fac6a5b2fe27f8164eec0",
    "c105800d357e208e3334a46baf4c4161e0d75c4973405bb54eb18d14a25190d9b4de1d89c75156a9fdbd9c81e7f28966",
    "83d13c4d6b9d536978cdebf1e43b8f134354b0e5994fc0dfd1fc137e00f7103fbfc1cf78f11f7556ff458b8badc49b9d",
    "93537564e3eeaf89f2b9b4232daf2e661d4b30e4cf9b2ccbe46f2496c178d963129ef050f1a314acb9c673332f944d62",
    "7a50baabd610b70606851bc5a0888066",
));
/// RSA-2048: PKCS#1 v1.5 encryption of `SESSION_KEY`, drawn until its first byte is 00 (GnuPG may send the cryptogram without that byte).
pub const RSA2048_CIPHERTEXT: &[u8] = &hex::<256>(concat!(
    "00cc3e29e7cfaaba20cacabeb5f7d66e7ec909a920af419a53be0518052bd8e6bce18ed069f7ea51a08dc7e4a0896faa",
    "e1b98fd99f4f05d8c212a1541a6acb0d5adb3acced1c21f92c61f500cb76103aa00b09c450ea1da4b74f763e28e7436d",
    "338c43f32c68b192ac8f0a0b4874553f0215da1f4d5f3efe34dcc3fcc66cae119365ced4c9edecc2dd096d7cfa240533",
    "47b459a5a8784dece2fcb65dd91eb1db0229b771b1d2c4c292b5b57dc9d02d7786ad2ac7fc3e08d64ab65d412053d9ac",
    "c8f769e4207f3d5b8a9032aa009bf3f3b5613aa412324b7b2e79df97a9500efde58c219e62c794f4bffa47a4a91db573",
    "117ad2cd40f49aeeb93894e7aacff0ea",
));
/// RSA-2048: d = 1/e mod λ(n), as OpenSSL computes it.
pub const RSA2048_D: &[u8] = &hex::<256>(concat!(
    "36ebad56234c30f1393e559c8f1e3d75e9dde7f19ae21fbe00a3bf4b8dd8d901eba4bb76f3b546bf982a3b7ea8a99086",
    "e2b046175843051ce1a5f4d5d74475695e64870c36c2bd7f7f7accf1e0088978c9dac9b303a8918098720cc7705ccc6a",
    "b08ca97720ac8759690ca2f1f34003db4dedf5c5aba23c8d4875bf0b9593abca4313bc63454e852f705e87ea85df8114",
    "33fb5f8687c77a14373aa5e568c612063d48c7329b3cc878f393c3b1bd038345767ed99baa021b5166bf8afc703faf19",
    "539828fb8392d5cacb525d5f78699227c335fd745a9929f8d2d0c7b1e5a826710538d2316135e5928c961c2147eaac94",
    "ef3fff83c52998ae9d45625bf78fb341",
));
/// RSA-2048: 1/e mod φ(n), the other d that a client may send.
pub const RSA2048_D_PHI: &[u8] = &hex::<256>(concat!(
    "9651fad293986e81eb808974f0316d04f2cd3f3b8232608e3af34192d8f49ca341e1a4dfddccd678e97c1b83e5ea0689",
    "e809525979dd5f7a55331ce31d0e38dbe8acccce0f54d77245fd8e0b24a7ba8ef386d30c488160c2223958e62b919291",
    "b616ae33339db08746414877d13e039f104d12ca429054e1664ef1e8dadb14d1778f9388b06ff4557b10055ca0f5bb78",
    "7b7ed1f1b8007c44bd306200e4dd8313416c63e978a99c0546f5803101c6e6f92e8517d87f74dc5abebd1cabf265a9cc",
    "bb96900c453d720a3ae9a8e5f2063d2de996242c62206af7b59346807d4b238d58b15b52e34ffc08db87bca169dea3f9",
    "b6e7ac5382ebb6cbdf3778d3d9146e81",
));
/// RSA-2048: d mod (p - 1).
pub const RSA2048_DP: &[u8] = &hex::<128>(concat!(
    "9bc1b88912172caad11bc3936f4c5ff6468a4b3acdcdf9afecf46d4971613b79da0c0c198cd3c646c5d9122d1db42e3b",
    "bb1194d1bd1e07916c9791639ef2fb46c31589f31e76756217f0e0e5379efd555f46fce3432ed03908e7544339e792dd",
    "6129396f5a0b57a2980bbbd0962323f940aa38161afe078d51b60f1dddfe0fc1",
));
/// RSA-2048: d mod (q - 1).
pub const RSA2048_DQ: &[u8] = &hex::<128>(concat!(
    "8df7b51dcdee26d808110d74295961567f86151992151c4ba32d34f99aafaee68a28496e5f42cee29dc7065085d3f872",
    "db8cc8e48a9a6b21284077962b2135c031f5e6ca1e0f14f3c093bfb4669278e28223bc9b2b8ada02bdb6f73225e05676",
    "6eb657bc6a6687c2779cc1d18a31db4c281dfb9b739bdf3a53b594da8666455f",
));
/// RSA-2048: 1/q mod p.
pub const RSA2048_QINV: &[u8] = &hex::<128>(concat!(
    "055b0cadc1140cb165d0674b37f5d0d2b20d1611a66b83c90afba5305875d08924f18cda54b9e05a245a45a8fa5faba1",
    "f1fac5b10461b06c6cc32e3a447ab7f9d98bdb1af2d18f268cd11bf91bb5664655cbffff8edb4c630e88f74928952816",
    "e06baab7198f223485e93020fcef2b9aa5ed99697a9ca3ed1ff9312a606d0423",
));
/// RSA-2048: 1/p mod q.
pub const RSA2048_PINV: &[u8] = &hex::<128>(concat!(
    "c2ae1249cfd4bcfb12ae901fd212e5dc11e84081ab9060930ec79415a19fdc9dda5056339b800dca3ec3e2b5923293df",
    "b4ccfd4c0a14a6b5ff9652ede443c4189fa86ab4c38e33d04b6b638c285befe5dec8a83121ee0abaf5d55cbb354d216c",
    "77bb3d2ff7083fec5bee417f21e81ff2e4e908d2b527cecb7613461720390133",
));
/// RSA-3072, e = 65537: first prime.
pub const RSA3072_P: &[u8] = &hex::<192>(concat!(
    "f83534b9c5313daec608b0079874c0cad7512d695497d05d0e17f36770cbb5b3061e64f732bdd0feaa98dbaf5927a625",
    "c16d8ccc3e38f4908c8180d31dd5c259670a8e51a54605a472c7e9421f9a18561dea49328ae124dcc91ee940e396f1cb",
    "bf0bd24d4d2fb5e1c844110fda8de85ee2b1e00a117652ba4186cb9484defde8bc40f12a920debf942c65a901304b4c7",
    "1f62bb3bf1e7a41cee3f6cc0ec745a4added7fc41b831dc2a1bfdcbd06479ee6ca574c4dccda4084eafd87e63733c7ed",
));
/// RSA-3072: second prime.
pub const RSA3072_Q: &[u8] = &hex::<192>(concat!(
    "c886f842021298927ab7619795678b62e76f8b8f94095ec8f8804d378c494331adf63146d11f14ca9e7012a09d874fbe",
    "02e81a722be1ca9f11e313887753fb33b5b587394e0cf5c1063a6e28dc87c68e5ba72fb7177c2e853ca32f07da2a1184",
    "940ad59b543feadf3fd11165a31d25f9a599f8c84b03a152f7f3fc6fe3d5f18fc1aea2ffdac985b86ba2c6979e3d65e7",
    "509b3debbf438da3a4ce0ef2690de7833046027ce5602c52085c068d6ee5643ab48f5b966ea35e56107b5d0f957fd783",
));
/// RSA-3072: modulus.
pub const RSA3072_N: &[u8] = &hex::<384>(concat!(
    "c26c6dbe4619b0f823e16fbb4c61f9c0ce166280875677030e214ff3ac75a2e5153cfcdd6e1faad189d752f63af33934",
    "bde1244ac917200c22751e47d1bb026499ea341e9e6be20da8fb3a00f4d11da30f1e3b1fb23cc2e8c104f8568770ba8d",
    "182ee9deda4b2c56366f1ff89252afdcd996306b737f3701b1bad0fd6b6245cdc10a9dc28d4f3577d3c12ee813d81fcf",
    "a4cccdca6c01ee94deff09121a85a9b524fe90e259c2cc5c4e990f8ec6e73445b48a79b83512cea2cb5a903ca757a6bc",
    "534ae91af8d2d51fd5ea766129362e873c1770a08e9276b540f4e7c29ab6e836309d56b8153e0485ef6689ccd4fe03f8",
    "c8f1f5f6569a7ebe3950c1355002d670b62829e5bd34009077e49052ee5b3e9304c789a0040cb264c9be061a67df3fe5",
    "713c332d4249fb5ef6a9ff2e9e1aff544f01336ad195767eb39cb477a9558e7adec99762d2918904f42eb8a296dbeb61",
    "4013f4ddabf3d57580282918e750cf82e536a0306a2194a3603458dfc519c1182586d57ebd9353c780be391adbfa5947",
));
/// RSA-3072: PKCS#1 v1.5 signature over `DIGEST_INFO`.
pub const RSA3072_SIGNATURE: &[u8] = &hex::<384>(concat!(
    "541df8d426e8cc3829023956bb926ddd81916315b21bd4b68895d0690b5a414dba7b2c56e725f7142904e14bf95cb8f1",
    "a3c506bdaa35b8cba0ff8ca7caf707e73207b60af3af295fe9fe69e3c80339a22cdef72700be6bfd25011375dac3bee2",
    "296374d99d10f930a38b6c2910e715a65df62e19dc66a75f73fc89b7d739127a563a3cdc22d815f6e6134907d5c29bad",
    "7a9814f699d7be2a110064ff29ab7b746749751c2755be7c31497a885532df4713edad80331532dd85a930d2d6d826a5",
    "23dad0ae0e5900c599b77985466ef365ecca80ed098301ec0871513c0070917c57ad164fb6c6af1c3822d47dd39309d4",
    "37904d0a953ac0208769eca5209cc2bc3999180472f56ad9a5764f0b6ebc7316b144f3e4c0b9d2e266a6277293ab7dad",
    "0637aa2212de92345934308ac9f0c798b0a1c64471e741fc4926e93f8e880344b9c01da49ed059a33995d446878d973e",
    "45b5148f6200d424bbb28668288dc5a34fbf198217277e2303e8eab26bb51eca12e1197fece0f4b38e10aced049772dc",
));
/// RSA-3072: PKCS#1 v1.5 encryption of `SESSION_KEY`, drawn until its first byte is 00 (GnuPG may send the cryptogram without that byte).
pub const RSA3072_CIPHERTEXT: &[u8] = &hex::<384>(concat!(
    "00e3e8727331c9acde2dbadde7da33653f441f08b2c5bcb56bedaf1b692bd0263df1018208e1e62356195e49f61e1441",
    "73bb7be02db33de122d2f9cc907df2dcfa29241562f117a3f7a2ac3e753d1ed8889030a3c4ae7e0ac0b27fdffa43fc2c",
    "8fb7fba13e22a5fe73465659720e4c6d0aa140486f4d03f6b1a56e0d11f4d5a912580517646032b1ad61e31b8df5875e",
    "071a20176eaff1e8aa5f2ed8891f5ff0fd386e557d1095a68be965636e440ace1d740b49599df822b550560193e71f22",
    "845ad6ec27f9d9b0c5b6e27c1ba6cb8b90f07b25db5ebedd5a0d8e1618c06dbf3c4c2e143c2023dfe05beed34b8867f1",
    "66049efc98e14fcfa37fc042047f94813f9c455b5e87eac207c19257e88de6e209049614c26285f1027872873ebc2b3e",
    "e6463fbe85645816729def6ac8532fb8d8fb0afe77da2eb5e04a0a2227060258e1db92718e96cbfe6b596f4c95c337fb",
    "c1c4d48f244e812f1b4554c3082b0f2be91accc75844ae4625356a73babde77b2ea0ac4f4b2e008561a35bea48992e1c",
));
/// RSA-4096, e = 65537: first prime.
pub const RSA4096_P: &[u8] = &hex::<256>(concat!(
    "f5299e5cad912b3c6e05486657df2c33010fc06b5541f0625b8fe4429714973c1f1fb25b74f6d5fe6bec9b8c0a03779c",
    "d57628a5e94f9817f4c65e86237bb7bdffd69c75a50c1bb47d7c69073f87481dd442234dbc0cdc83abc8c01093f66677",
    "e1fc29b36bcf2f945faa7c3bfe5cd106ea76d8b966e8e22ddc3b358adead47079854bec983806d1f0c0d1eece1687808",
    "14aff86a5e84f4637319b926e32d8e7de210897f4a92e33c0e8f227e20e4cbe7c0f06535dacfd3fbfb2be33152746857",
    "0a7454f05df5baac51f25a4a9c7c1aeb4bac4a6015a1b905f3cc1f1889f043b473636394ab3b5cade4971e40d8726b3b",
    "621481a39fc854b4d482100eb2adecdf",
));
/// RSA-4096: second prime.
pub const RSA4096_Q: &[u8] = &hex::<256>(concat!(
    "e3e0bc84f304cc91de74ab3696074c7b843e2156f01b507d6f01fd3d0fa8dfc7768852f8a0c8cf990e09f4cadf2ce8a3",
    "ba5b8e4c0d1ab90f512783d3cf54cc49ae13d7925794a66ee1083a34ccc26dd1dabf09a3063e8a759f2c962d9e1149fe",
    "e8968c86879986531f3053610a8517c5a0a76d98c29985b29228d7fd453b02d764d0fb8ff9e7adb502f788d1ff291ddc",
    "f43884b3090182e3ee5eafd232ceb1eb6a009821be77e64526b23d1ea82e8911b0f54eec77ef2717f76697001f5c1a5d",
    "81ca950f11a693dd1158e6f246e7a589f6292c1331f0dbbb34d69e4e855e2ce8137826161092f68183a33370b0ebf178",
    "842ccc5157c83ef311cc58406e1cfd13",
));
/// RSA-4096: modulus.
pub const RSA4096_N: &[u8] = &hex::<512>(concat!(
    "da3b2060a17c697dd30b810af029de68c1fa345a8268c45496e985b5e059de9d9ec60a2b5f8346c55beaa4341c0a3a2d",
    "99d87c6918a62bd88616eefa8570400cc0ae7c0dc416213c35639fadb09c144ccdd9ef5c06194b62fc5ae15159f91747",
    "8995f6fd95f21477c11863b9a22df1013936727ef1a9dc3891348a2dd6e56dc6db4e2760fffe9693357c182bcfb52846",
    "6629e588e6bd1811bdaa0c85a950ec1d661735295086b4f9830a9c28a82ff3bb8a3c1eeefb329a3a1131e92b9c98b1b5",
    "d2f2618482d6340955c0229796b18c01a7fcea178bb1a5ed648f061ff5f4d5a42c2ee45019ad63e82956853002a789fd",
    "2b1d8a44ae38959e5510b6b8378fe65dc4800ced1c910506fa93d880d0fd78800e91813fd850439ceee305af68186d66",
    "62f2728e585bc8f423bcc50d9072200ba91e11d555e0f0b482389ee36577a6ee4d232683cea7692e1869446c68cff3f3",
    "df5b12923888f5fc510d4be9be9b2e51cc8becd1292541a82e3093c4809237dee12cc3a9979bba29723a2fdbd0a2a92d",
    "70af27f45ace68b8da8ccf735f3adeee41c0bdff9f6189e64727e8eb83954fe013bb4b93e78d5d5bda94e3eb5f553fb8",
    "aa47d8a08f581406f5e28ba7cdb51f5fcde77fade4fe1454c0a29dd2af5f087005ccdea1f514cbd325e3afd4d7f06a3b",
    "19c4612d48275644ecbc027e68cb0b28ef465a7dfbf6faa96783de3ae064f78d",
));
/// RSA-4096: PKCS#1 v1.5 signature over `DIGEST_INFO`.
pub const RSA4096_SIGNATURE: &[u8] = &hex::<512>(concat!(
    "a932d7711d07bedbe7295bc4b1b51f2bd2513d19c3a89b9fc0c9bfc21d2442d87fbb459d3d769eb2ed6c104e5da2ef7f",
    "e260af3354c87414940d89df6213b6f80ca6b91532e095a9fc7bb815130d467193dfaea244897d19ffd1f1f5918373d3",
    "e82d4399cf7aa6d94b6747abad14926327aedf1f0c1519fb34a9a2b84bdf0457b769fddfb8691b0c6ed7a784be13c40a",
    "b541deba3696a9a5de42791d82d431444ced0fc16d1a43caef50226d1ac9a23d37c725f8b2daf5d8b8bf503bfdf92a04",
    "1098ce065da37202855ba057c26c8064c2b4ad256f524d0cbb12bb65e52a0157ca4664fb496f2b0d396e6fae9d471f7e",
    "6de118e59ba5b8abd629878ab2685caf1e6d51bdcc728b4839eaf9c488b1dbdcea2ca59b493ece9fecd4bf9c97525785",
    "0a6b38a195ca143749e5390dff9efa0b8464cf70676ee0721d5476cb295975187470fc41225ab8b8d6fdcdfd2ee21e60",
    "a30bc4c27d3767d3a250bc2321d3d11f3cd0ad6cc9c630258da649a3f8ce0aa74b2b7e3a0332b03c63743f50a4333f8d",
    "f6f7eb722d677d13301bae9f48a1ea622d8a4ba689512693752632cb26211dcbe99e99286a1b351cfeee2abbe3c667d6",
    "65568bd9450da3128628e31963829567000c4e3cab9c1ac4392d86188865e552f28ae687d7fbf8432d198728aac5b9db",
    "860c5eaeeb1e28c08dbcece9cd05d0b84d8be4fad6bc833970750b95a331142e",
));
/// RSA-4096: PKCS#1 v1.5 encryption of `SESSION_KEY`, drawn until its first byte is 00 (GnuPG may send the cryptogram without that byte).
pub const RSA4096_CIPHERTEXT: &[u8] = &hex::<512>(concat!(
    "0083708e5e103abbb6126a99da01d09fc76bd5aa59f40e94f5711f30dc2aa7667c3dd8df9d9fea8b8b8d9146ad90f83e",
    "b105d68ed3f99cc1a8361d754eeeb5d3471e11e0da776a53e95afc000581d2e99b60448c2362f7e09076944d6c45f8e4",
    "11886cc9b20afec1e574fdc31ae81419c18724a6237d3e248816f6e98e2bb6eb6d01f4475e62e66aae1e134507ef2ffb",
    "cc824be630cc42509bee9f1d3e8d5a4365c64566db05a360270984f01f84a96212901a8e11c772e19950dce1b41b7b4a",
    "8dd90397c00556094c18a143dde4349b59dada0ef81dc50eb4c17a367497b2a3525bc756b80491fa562a5b88a05fb69d",
    "05f87635a129c7d9e515c4a1b6c0d584f5bb5d13493cbc469f8e4365b0c1e9a77a6ae55f3ad37f2a5e911dbe0ab6fa5b",
    "362d34e4deaa46e374ff4e13b39344d6e98c0aea4e5f3786e06b61550d9321f306c3492d1de129535a7c2807ba91950a",
    "4703b469420b431862acc4b461531cb56848d2161ae788ba3fc111f4ec43b22f2e95d1eeab340f27f9e2350016b3ded2",
    "203697c10d48e1f3b2e06ac1aed740b837feec649c5aaa957515a78a9774fc2732c74dbf2ca02bc3ce5e08c09e095644",
    "ebbcf2137fa4b91ce176914f5980f9613c6ec053f57ccd9dfb1e3f8f33146cc185074b101c08c1506756835bcbbba0bf",
    "8f2bbdde35ae41c1f727d517fe070497b1877cea834c2825fb33f6aa2d93fcf5",
));
/// P256: private scalar, big-endian.
pub const P256_SCALAR: &[u8] =
    &hex::<32>("f973b7e2ad91358955675790c507a46a797de3a641b0a69728775c01108f95f6");
/// P256: public point 04 ‖ X ‖ Y.
pub const P256_PUBLIC: &[u8] = &hex::<65>(concat!(
    "04351521e7b9f0c3ec558892edd7f3ee5a0d735806c8c32f9d1c83de08f4959edb73f9c689f4796f891f80d48c7a346b",
    "86f589423f103ec6a4789513d2c9841c24",
));
/// P256: RFC 6979 ECDSA r ‖ s over the hash of its size.
pub const P256_SIGNATURE: &[u8] = &hex::<64>(concat!(
    "d9823f12e29316c299bc939b7da0e5f49e601cabd1c9d4224b48867a901100149e1cc6c03f2580bb9932c556a03480a0",
    "c0c390edc7d9b2d17c768675c80032e7",
));
/// P256: the host's ECDH point 04 ‖ X ‖ Y.
pub const P256_HOST_PUBLIC: &[u8] = &hex::<65>(concat!(
    "04fd96e2bea542220a10f35fad966ff164a4893f961ca761185a2895867c43f531c34eae5bdcb030953a69d578f8bb9a",
    "2dc969d8f1615cb00aff2b9480b96d0d27",
));
/// P256: the ECDH shared x-coordinate.
pub const P256_SHARED: &[u8] =
    &hex::<32>("771aa8512337598b8217c6005606d3cc4ee1a3370c33d755434edd6ae23d4b3c");
/// P384: private scalar, big-endian.
pub const P384_SCALAR: &[u8] = &hex::<48>("1d417614d653bb06899cc04cc2f1b129a649b4b8f424c36a910466e649b13a0c5e40bde7ea8a838b235d1c78a7ae6b9d");
/// P384: public point 04 ‖ X ‖ Y.
pub const P384_PUBLIC: &[u8] = &hex::<97>(concat!(
    "0405189f9d2c8e0e2883d1c1f3dcef39981544492353914d0e22b2bdf5392d5b6e089c9b9aad8cbd5cabae6445caa1c5",
    "1ea5f77f39ee90cdb63e3bbc3345d7513be3e67f05e8085d0275b54b33417219b4553e2fd8626cf06ae21433cbc0ec8d",
    "f6",
));
/// P384: RFC 6979 ECDSA r ‖ s over the hash of its size.
pub const P384_SIGNATURE: &[u8] = &hex::<96>(concat!(
    "01d71e6eb1d6229ad97e193af80a62c22591868b04a3ca05d42767ba0984d6bed8d6c2af2474d3361747d81281d4c9d1",
    "8aa6178cd77c07da4b0f76dfa672587bed8f770366b620da75b7b25967230ca8bd192bbf1c8d6330d674a1177033993c",
));
/// P384: the host's ECDH point 04 ‖ X ‖ Y.
pub const P384_HOST_PUBLIC: &[u8] = &hex::<97>(concat!(
    "04440a4e6d68f9b14a9aaf8277b398776f2018f680554c3864656624f83addddfd9dbe15734a175d0ba9f92573aa074a",
    "805b8ab7b0fa1ffc2d3dbfd60634d1dddf5ebd4ad60ec1be25b3784dc6e83e6cc581cd9e3d799ce1bb2c122c00324ea7",
    "4a",
));
/// P384: the ECDH shared x-coordinate.
pub const P384_SHARED: &[u8] = &hex::<48>("7164ccfc6f4925d744ef1a9cb025d8ae6b010640f72aa9b6693642934c19046d0fe5950f37f0a31fe277d506ae6deb4b");
/// K256: private scalar, big-endian.
pub const K256_SCALAR: &[u8] =
    &hex::<32>("47adaff031311defe17dafb4705c45e86e607e4c19ae697bb808c9d7bf9457a4");
/// K256: public point 04 ‖ X ‖ Y.
pub const K256_PUBLIC: &[u8] = &hex::<65>(concat!(
    "044764a1771792358cf438ae65ae0a708e3f9ab8f671bd4f3d0f9f421cff53bd4f06353f7d8d0d58a055337b7a5bb1b3",
    "9197c10a82b231f69986bd5a802002f71a",
));
/// K256: RFC 6979 ECDSA r ‖ s over the hash of its size (low s).
pub const K256_SIGNATURE: &[u8] = &hex::<64>(concat!(
    "08cab2a94d16fa7e82ed56e814e23ceebb64090c130ab6be61bbde9825d9e8f8639bdd863e18ca189a6fd7a370c83c22",
    "90bdcb7128e6d7610faacf96364cfe37",
));
/// K256: the host's ECDH point 04 ‖ X ‖ Y.
pub const K256_HOST_PUBLIC: &[u8] = &hex::<65>(concat!(
    "04cc8db04c25aa7e99ffc89d1fdfd2794b802463f8e9f5f32701b43f02aaedcca2e7b981af3feed38b65df26811e4184",
    "b1b82823dbefcce2e2d3f9320f2f2863ff",
));
/// K256: the ECDH shared x-coordinate.
pub const K256_SHARED: &[u8] =
    &hex::<32>("c26af353eb7ba29131a1302b5f8d7d5ce832d228e3b0f4265c497c66e0b6754b");
/// Ed25519: the private seed.
pub const ED25519_SEED: &[u8] =
    &hex::<32>("8366b0bb0be3cde8f48ec0829634ad86a31eb56c3476b85b41e502a0401f7cac");
/// Ed25519: the public key.
pub const ED25519_PUBLIC: &[u8] =
    &hex::<32>("f0c5583e03555a1d00841ec4ad682f3326d6284f1a6c0768568422c4f35ee702");
/// Ed25519: PureEdDSA signature over `HASH32`.
pub const ED25519_SIGNATURE: &[u8] = &hex::<64>(concat!(
    "4b176f7d4296e37ad2466ae75a2c49c0f1313e1801cf33eb277595006d2adec59b6011110149e90520b79e54d1f5fd5c",
    "e88c5748830afab34fec2fa092228503",
));
/// X25519: the private scalar in RFC 7748 (little-endian) order; GnuPG imports it reversed.
pub const X25519_SCALAR: &[u8] =
    &hex::<32>("1be32aaf4f917c2c1046de782f989479a0983637f79d208aadd9be840dfd4fc4");
/// X25519: the public key.
pub const X25519_PUBLIC: &[u8] =
    &hex::<32>("77cab105cb6d26ee3f018542acf1bf88cd661ab8f0c40c6438ce09b754025548");
/// X25519: the host's public key.
pub const X25519_HOST_PUBLIC: &[u8] =
    &hex::<32>("33c42ff32a88eef174861bab4fe3c9a77df24a58a36cc4750e845e2b951c0e05");
/// X25519: the shared secret.
pub const X25519_SHARED: &[u8] =
    &hex::<32>("5a7bd3668c52dfe0715091b78b2f6b8a4d5ffc53e2888f2dc62aaa9091882b4d");
/// SHA-512 of the benchmark input (ECDSA on P-521 and brainpoolP512r1).
pub const HASH64: &[u8] = &hex::<64>(concat!(
    "00746142b41d509a8746243b55b7e4b8ed0a0f63779cd4fa578612611ebe825f46d7f601d73ccd46248b94998f7c849a",
    "aac371cdfe07d7f940986f189fa4ae02",
));
/// P521: private scalar, big-endian.
pub const P521_SCALAR: &[u8] = &hex::<66>(concat!(
    "003f005204e34bed179beda1d8823d63d670d532baca84efe1deb7ed9ce3579e40a13fd75966c39ce10f1e0866294c9d",
    "053fd3a252787ea4c7ca8501cd83355387fa",
));
/// P521: public point 04 ‖ X ‖ Y.
pub const P521_PUBLIC: &[u8] = &hex::<133>(concat!(
    "040133093830bc3d3e97cf1e43fce3b3276f9fbe4557bf3082eceebbc5ba36c8739afeb956e89c1c3351b9e6459cae7e",
    "f79c21b93f2367e7726d3d45da71a18b72a5da0191964454564d4fa2a1974cf80707681a9af89534d19d9861b9c62a25",
    "dc85e9a397351814ecfa98c9cc50ad1eb0408c401e37792afd6782d51951ec8dab8b58478b",
));
/// P521: RFC 6979 ECDSA r ‖ s over the hash of its size.
pub const P521_SIGNATURE: &[u8] = &hex::<132>(concat!(
    "004f09e621e6af5c54037b28e7853156b4211a92b86a49fb01be8825b21d7a0f312cad82755f6031e98072e1fba4b1df",
    "5c20c9ce0079b4d159667a728247f313bc57013f77219865c3ea0b9e3fe15b934018c118e111ef5101b5850299c06977",
    "ecd57bf5514945a485d135c1730ae9de32703bc3b723be0388bc50b29b906883e18bf2bb",
));
/// P521: the host's ECDH point 04 ‖ X ‖ Y.
pub const P521_HOST_PUBLIC: &[u8] = &hex::<133>(concat!(
    "0400e978e81631ff57c4daf25990117245d9b070954e73f4c38dbe44207eea2d13a7b96f0e114b1982cdeb4b0bba2772",
    "2204bf1e369f6dfe6cd254adbc2dd6acad426d01bc732132dd78afc906a2755997607f899aa2ec1c650a7567a6e0a4b4",
    "e0029f4658a1ed772c84e6541c2b661e43f1afe0dbb309d482da905819efe95cef526a8384",
));
/// P521: the ECDH shared x-coordinate.
pub const P521_SHARED: &[u8] = &hex::<66>(concat!(
    "007505f83062fd7f65916f5dc3cc1c7173b55c68bb882b572b9043a32d7eb92232c00815c3820990010971e942e3b2d1",
    "529ed32b7640b09ea704cdf8ce77d2c1c1f7",
));
/// BP256: private scalar, big-endian.
pub const BP256_SCALAR: &[u8] =
    &hex::<32>("8fa7e6fd9de91ba3cc46a6856226f5c818b568d1351ae1beddbf085758480f71");
/// BP256: public point 04 ‖ X ‖ Y.
pub const BP256_PUBLIC: &[u8] = &hex::<65>(concat!(
    "044638a5829034f392f686fe298673630105446922fe70b3eb5a6fcdbea97771ae58c2e1fa6f4655e685fabc7a210133",
    "431b567111826097e8d7aab13a90bee750",
));
/// BP256: RFC 6979 ECDSA r ‖ s over the hash of its size.
pub const BP256_SIGNATURE: &[u8] = &hex::<64>(concat!(
    "0e5501601e4f2e6d1a8884e16c374534dc4888a3e8c04dc73fa3394ece6411c54528150f2cfeadf2ea4ae30e84d24c06",
    "b4f976da19f0723e1c3e2e5f9c9915d4",
));
/// BP256: the host's ECDH point 04 ‖ X ‖ Y.
pub const BP256_HOST_PUBLIC: &[u8] = &hex::<65>(concat!(
    "04099aa2878c9d61bee65c522cdd98c672d675c9e9118ae9df724e3a4bdd595b31522aac5db7989f5e51f27ba8632b39",
    "5284bf3f1f2da1f8c5ca75063938bf6af0",
));
/// BP256: the ECDH shared x-coordinate.
pub const BP256_SHARED: &[u8] =
    &hex::<32>("8f9391229a2d093601e7c63a4130c0c19a8c0018ddf785842dd297dfde5e1fda");
/// BP384: private scalar, big-endian.
pub const BP384_SCALAR: &[u8] = &hex::<48>("17178c23e007962323b42d9486b020d918fe88f0a47575c9b2256cd401bf1bd1c8ddc2e44fe25c749fe9d1ada8371c2a");
/// BP384: public point 04 ‖ X ‖ Y.
pub const BP384_PUBLIC: &[u8] = &hex::<97>(concat!(
    "047d505ac9a9f4fdc2b8c39bb0fe2539b0b4a8e42fe65387cd78dc702b568463d02136e72040f55d9add1c4c56aba4bb",
    "824d7327dbd42f2c0c8fbf3647c97d9763e997e1a5d68d7a91bcf11061dc24adf01f424c7e4738a8144f93331d1044e0",
    "57",
));
/// BP384: RFC 6979 ECDSA r ‖ s over the hash of its size.
pub const BP384_SIGNATURE: &[u8] = &hex::<96>(concat!(
    "40183b198c1439593013f7d6eddd845d8bbd4223d2e5bf0ae4ba5f57641fa2106047a781523fd9762ad39fef3c6701e4",
    "6d3d1495364766b7ffc308dd1fe5a1cde326080affdf1b6bb923fb6c6dc6c070d6effc9ab15bf4a75f3bf4f07b4e5f5e",
));
/// BP384: the host's ECDH point 04 ‖ X ‖ Y.
pub const BP384_HOST_PUBLIC: &[u8] = &hex::<97>(concat!(
    "04374788daf25f826d18e2b3b58c02bc543bd72ddcee5f8207957f512dff85398a7e9f8a29a121bc9452540b9ebe477a",
    "4526f1e4be87a43e4b4623f1e144af7b9fcde00c44ee5d4c1944208cd0d2c50d710aecceed28f7dcb59091d68fc576ea",
    "be",
));
/// BP384: the ECDH shared x-coordinate.
pub const BP384_SHARED: &[u8] = &hex::<48>("233f2a15db690a8f8bc807a289c530de46d83d97cfb177b62c1e9f804291a9ce071e93c017faadd006bccce5b245f627");
/// BP512: private scalar, big-endian.
pub const BP512_SCALAR: &[u8] = &hex::<64>(concat!(
    "7d19bfda8cb167de3237a8d6df23bf3a8435b0ecf4402803c55d811f3156b752bb6ea5922cf184cdfa6329b9764c33f6",
    "cc3ab683c9b6790577da71e35c33d102",
));
/// BP512: public point 04 ‖ X ‖ Y.
pub const BP512_PUBLIC: &[u8] = &hex::<129>(concat!(
    "044816e540ca35561a856aa664d2ca80ce6de124eb68f9cc4d8e7d5bfc5d4fdebd0ecf24b50aa75fe49adbc52994defe",
    "64cb4866f6493eed376565874b7821bdda5c721d156d9dadaa3c7113bf11502117df8ab1fb008d6a77daaf7dfa351fcb",
    "c87747dc28d3125d5b5d9709e10335e7548df1c4dc22c4c8ac13fecc0b4c29d6ee",
));
/// BP512: RFC 6979 ECDSA r ‖ s over the hash of its size.
pub const BP512_SIGNATURE: &[u8] = &hex::<128>(concat!(
    "310a2dfaf2f08ec76c1c9bb5e769c238d8d796673a9fe57987cc6ba47afa019313bc6f76678d3054f28e3ade3474549e",
    "61f1b4a1d4d3dfa08ef1783a4c44359558379fe2419ac27eebb1e8f43899c81f355e4346a51540c3a4d1f9b5bf04706d",
    "be3c5c4fab38bef3982a39714265baf0444f4abf6b9db813eb97ee4578cbca81",
));
/// BP512: the host's ECDH point 04 ‖ X ‖ Y.
pub const BP512_HOST_PUBLIC: &[u8] = &hex::<129>(concat!(
    "042d0ab51b9063b8dd55f3ef38cf8f8996f50534231ad3e0a3b1804c9b6c3d520b32e27ccc7231f6afa35c4a581797c0",
    "faab98e26ea02d8f8197fca5371f1543c100cf76bd02fef554a6edcb5d34f0d7db0832a792ee9d70af1b44118582c95a",
    "75103a49dba82eee51334e38553a25cf9aecf956f218fcc7633b79416239fc718d",
));
/// BP512: the ECDH shared x-coordinate.
pub const BP512_SHARED: &[u8] = &hex::<64>(concat!(
    "42e29f58cf937566006b288d027c7ab058c26e4e44598ffd51a34d692a1e869dce24f98686ff360182be8962ed5774f0",
    "ba2479209604ff88439a6a3bace0869d",
));
/// Ed448: the private seed.
pub const ED448_SEED: &[u8] = &hex::<57>(concat!(
    "53d0a8fc2f0b9e3a2ee28147061f94ad5782489e62eb5a9deba79fdc0133a315018bcf97f2203b66e59b7547d2035473",
    "69276d2216683937f8",
));
/// Ed448: the public key.
pub const ED448_PUBLIC: &[u8] = &hex::<57>(concat!(
    "2560ce65b77a2bacdc1100360777c6b8f834ab26c0f0f0e4c9660a8dbfc2d5404935368f1abdfe7b08d766381256285a",
    "22adb7d54fbf8a7a00",
));
/// Ed448: PureEdDSA signature (empty context) over `HASH64`.
pub const ED448_SIGNATURE: &[u8] = &hex::<114>(concat!(
    "66170f880df8a9868639f342c823f1992e3985691d305a513851c4a790c398e44a49d7d181205e1cac369815845d68fe",
    "598f7dc577a743560063de8fe70da71efac596d93dab1bdf44f1a646876faa28bb054367602e0e1ff9bec92c6404fa9f",
    "8b30e5fd8f681b8c4cea74814c375ae61a00",
));
/// X448: the private scalar in RFC 7748 order, as GnuPG imports it.
pub const X448_SCALAR: &[u8] = &hex::<56>(concat!(
    "2085ed84e475b60aeef2222ed3b87f9d48f0e5be47429a4ef1476ad0dfbbeb688ccfec7b6098c19b8c9f6e898dcfe8cc",
    "455638dab95678fc",
));
/// X448: the public key.
pub const X448_PUBLIC: &[u8] = &hex::<56>(concat!(
    "a62574bee8541dc8846fa0069b33adf43df869578e0bc064cd178a1a3179826fc8cb9ac8f73443b7cde94097de7c28ec",
    "9215066aef6ab510",
));
/// X448: the host's public key.
pub const X448_HOST_PUBLIC: &[u8] = &hex::<56>(concat!(
    "0f5f7962303720c635153ff59c21a393f0ce5d4b15c752090c575f2810aad0d708c9513b52b4501e28afc8a028e57a7d",
    "2faa0a606665917c",
));
/// X448: the shared secret.
pub const X448_SHARED: &[u8] = &hex::<56>(concat!(
    "c76f263290de7b42dbba853e4f32ba7ddf1f33bec7c8f1c38ea59b56fcd2bf1c9f516dc24653bd30487c28c1d8affcb8",
    "5f0e9179d3799084",
));
