package dev.clearline.devnet.accounts;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;

/**
 * The first accounts of {@link DevAccounts#DEFAULT_MNEMONIC} (m/44'/60'/0'/0/i), written out:
 * the devnet starts with them on almost every run, and deriving them (PBKDF2 with 2,048 rounds
 * of HMAC-SHA512, five hardened BIP-32 steps, then an EC multiplication per account, all in
 * not-yet-compiled Java) cost a noticeable part of its start-up. These keys are public knowledge
 * (Hardhat and Anvil print them). {@code DevAccountsTest} derives them again and compares.
 */
final class DefaultKeys {
    /** {private key, uncompressed public key without its 04 prefix}, hex, account 0 first. */
    private static final String[][] KEYS = {
            {"ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80", "8318535b54105d4a7aae60c08fc45f9687181b4fdfc625bd1a753fa7397fed753547f11ca8696646f2f3acb08e31016afac23e630c5d11f59f61fef57b0d2aa5"},
            {"59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d", "ba5734d8f7091719471e7f7ed6b9df170dc70cc661ca05e688601ad984f068b0d67351e5f06073092499336ab0839ef8a521afd334e53807205fa2f08eec74f4"},
            {"5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a", "9d9031e97dd78ff8c15aa86939de9b1e791066a0224e331bc962a2099a7b1f0464b8bbafe1535f2301c72c2cb3535b172da30b02686ab0393d348614f157fbdb"},
            {"7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6", "20b871f3ced029e14472ec4ebc3c0448164942b123aa6af91a3386c1c403e0ebd3b4a5752a2b6c49e574619e6aa0549eb9ccd036b9bbc507e1f7f9712a236092"},
            {"47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a", "bf6ee64a8d2fdc551ec8bb9ef862ef6b4bcb1805cdc520c3aa5866c0575fd3b514c5562c3caae7aec5cd6f144b57135c75b6f6cea059c3d08d1f39a9c227219d"},
            {"8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba", "37b84de6947b243626cc8b977bb1f1632610614842468dfa8f35dcbbc55a515e47f6fe259cffc671a719eaef444a0d689b16a90051985a13661840cf5e221503"},
            {"92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e", "9a4ab212cb92775d227af4237c20b81f4221e9361d29007dfc16c79186b577cb6ba3f1b582ad0b5572c93f47e7506d66df7f2af05fa1828de0e511aac7b97828"},
            {"4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356", "01f2bf1fa920e77a43c7aec2587d0b3814093420cc59a9b3ad66dd5734dda7be6f8b7de790eac3a720fd8e4bcb9eae9434f843d3cec111d9e07adeddeae090f2"},
            {"dbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97", "931e7fda8da226f799f791eefc9afebcd7ae2b1b19a03c5eaa8d72122d9fe74d887a3962ff861190b531ab31ee82f0d7f255dfe3ab73ca627bd70ab3d1cbb417"},
            {"2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6", "3255458e24278e31d5940f304b16300fdff3f6efd3e2a030b5818310ac67af45e28d057e6a332d07e0c5ab09d6947fd4eed1a646edbf224e2d2fec6f49f90abc"},
            {"f214f2b2cd398c806f84e317254e0f0b801d0643303237d97a22a48e01628897", "0bb316cf4dbaeff8df7c6a8f3c55a11c72f7f2f8d79c274f27cdce2220f36371279e4fa6f5ecc92d799c79f30d3bb5913e906c06d7da20edd35dd61c4807052d"},
            {"701b615bbdfb9de65240bc28bd21bbc0d996645a3dd57e7b12bc2bdf6f192c82", "e393c954d127d79d56b594a46df6b2e053f49446759eac612dbe12ade3095c679eeda1cafbff9d8fe17b8550d9d0d1fd71a2f5849b520c7bde795a3600b54616"},
            {"a267530f49f8280200edf313ee7af6b827f2a8bce2897751d06a843f644967b1", "463e7db0f9c35ba7ae68a8098f1024019b90191281276eeef294acb3f1354b0acd69b0a35b569d08b5b45017078d2342120c335290857d95eb3621d1084622b6"},
            {"47c99abed3324a2707c28affff1267e45918ec8c3f20b8aa892e8b065d2942dd", "7805be0fc5186c4437306b531c8e981d3922e5fc81d72d527931b995445fb78ea33d6b7dba20f31fc5560dd19870fc010aaab063647da052dde84b14df052457"},
            {"c526ee95bf44d8fc405a158bb884d9d1238d99f0612e9f33d006bb0789009aaa", "407a862c69cbc66dceea40079757697abcf931043f5a5f128a56ae6e51bdbce7fd0e8041ad03925eb788729e42fa032d5f81e5f1e6276aa7427cb5a0c8a419cd"},
            {"8166f546bab6da521a8369cab06c5d2b9e46670292d85c875ee9ec20e84ffb61", "d5ab34891bfe989bfa557f983cb5d031c4acc845ad990baaefb58ca1db0e77161e06c5160950b02dc29ef7ad651d76dbcb891b4d9779101a92dd843d518c8f10"},
            {"ea6c44ac03bff858b476bba40716402b03e41b8e97e276d1baec7c37d42484a0", "64c1c85d9aa8081a8ef94c35379fa7532942b2d8cbbd1e3ea71c0e3609b96cc0efcd28ccb0c8f30cf99ee0a361f1d8e7b052ec956c8172779d486f84cc2ad737"},
            {"689af8efa8c651a91ad287602527f3af2fe9f6501a7ac4b061667b5a93e037fd", "c216848622dfc38a2ad2a921f524103cf654a22b8679736ecedc4901453ea3f7696c08bb654460f28cef6913033456b1432baeacd6fc4614df1008811b5c55ae"},
            {"de9be858da4a475276426320d5e9262ecfc3ba460bfac56360bfa6c4c28b4ee0", "302a94bd084ff317493db7c2fe07e0935c0f6d3e6772d6af3c58e92abebfb402d7355f0565f50297b6d26a329fc48ce6ea7a556bfd113b306459c9523633f6f2"},
            {"df57089febbacf7ba0bc227dafbffa9fc08a93fdc68e1e42411a14efcf23656e", "7bf824b28c4bf11ce553fa746a18754949ab4959e2ea73465778d14179211f8c87f456ff40773aafed961a226e0bfa251547013a81c24951a733f65cfed8dc5e"},
    };

    static final int COUNT = KEYS.length;

    private DefaultKeys() {}

    /** The first {@code count} (at most {@link #COUNT}) accounts, with no EC arithmetic. */
    static List<Credentials> first(int count) {
        List<Credentials> keys = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            keys.add(Credentials.create(new ECKeyPair(new BigInteger(KEYS[i][0], 16), new BigInteger(KEYS[i][1], 16))));
        }
        return keys;
    }
}
